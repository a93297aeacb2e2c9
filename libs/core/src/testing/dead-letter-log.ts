import type { Envelope } from '../envelope/envelope.js';
import { messageTypeOf, type MessageClass } from '../messages/message-type.decorator.js';
import type { DeadLetter } from '../transport/transport.interface.js';
import { DEFAULT_WAIT_MS } from './message-log.js';
import type { RecordedEntries } from './recorded-entries.js';

/** A dead letter of a known event type. */
export type TypedDeadLetter<T> = DeadLetter & { readonly envelope: Envelope<T> };

/** The events the service's handlers gave up on after `maxDeliveries`, each with the last error. */
export class DeadLetterLog {
  /** @internal The harness feeds it; a test only reads. */
  constructor(private readonly recorded: RecordedEntries<DeadLetter>) {}

  /** Every dead letter so far, oldest first. */
  all(): readonly DeadLetter[] {
    return this.recorded.entries;
  }

  /** The first dead letter of `type` (matching `predicate`), recorded so far or from now on; rejects after `timeoutMs`. */
  waitFor<T extends object>(
    type: MessageClass<T>,
    predicate: (message: T, deadLetter: TypedDeadLetter<T>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<TypedDeadLetter<T>> {
    const name = messageTypeOf(type);
    return this.recorded.waitFor(
      (deadLetter) => {
        if (deadLetter.envelope.type !== name) return undefined;
        const typed = deadLetter as TypedDeadLetter<T>;
        return predicate(typed.envelope.body, typed) ? typed : undefined;
      },
      timeoutMs,
      () =>
        `No ${name} dead-lettered within ${timeoutMs} ms; dead letters: [${this.recorded.entries.map((d) => d.envelope.type).join(', ')}]`,
    );
  }

  clear(): void {
    this.recorded.clear();
  }
}
