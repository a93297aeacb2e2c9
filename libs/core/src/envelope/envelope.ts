import type { MessageKind } from '../messages/message-kind.js';

/** A message as it travels: the body plus the identity and lineage every hop needs. */
export interface Envelope<TBody = unknown> {
  /** Unique, time-ordered (UUIDv7). Retries and redeliveries keep it; idempotency keys on it. */
  readonly id: string;
  readonly type: string;
  readonly kind: MessageKind;
  /** Shared by every message caused, directly or not, by one business request. */
  readonly correlationId: string;
  /** The id of the message whose handling sent this one. */
  readonly causationId: string | undefined;
  /** Milliseconds since the epoch, when the message was created. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: TBody;
}
