import type { MessageKind } from '../messages/message-kind.js';
import type { MessageClass } from '../messages/message-type.decorator.js';

/** A handler living in this process, as Catga calls it (the user's original method). */
export interface LocalHandler {
  readonly type: string;
  readonly kind: MessageKind;
  /** Service-qualified handler name; events are consumed once per handler name. */
  readonly name: string;
  readonly messageClass: MessageClass;
  /** Events only: every instance receives it, not one per service. */
  readonly broadcast?: boolean;
  invoke(message: unknown): Promise<unknown>;
}
