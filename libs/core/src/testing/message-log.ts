import type { Envelope } from '../envelope/envelope.js';
import { messageTypeOf, type MessageClass } from '../messages/message-type.decorator.js';
import type { RecordedEntries } from './recorded-entries.js';

/** How long `waitFor` waits unless told otherwise, in ms. */
export const DEFAULT_WAIT_MS = 2_000;

/**
 * The messages a service sent or published, as a receiver gets them: each envelope decoded by the
 * wire codec, its body an instance of its registered class.
 */
export class MessageLog {
  /** @internal The harness feeds it; a test only reads. */
  constructor(
    private readonly what: string,
    private readonly recorded: RecordedEntries<Envelope>,
  ) {}

  /** Every envelope so far, oldest first. */
  envelopes(): readonly Envelope[] {
    return this.recorded.entries;
  }

  /** The messages of `type` so far, oldest first. */
  of<T extends object>(type: MessageClass<T>): T[] {
    const name = messageTypeOf(type);
    return this.recorded.entries.filter((e) => e.type === name).map((e) => e.body as T);
  }

  /** The first message of `type` (matching `predicate`), recorded so far or from now on; rejects after `timeoutMs`. */
  waitFor<T extends object>(
    type: MessageClass<T>,
    predicate: (message: T, envelope: Envelope<T>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<T> {
    const name = messageTypeOf(type);
    return this.recorded.waitFor(
      (envelope) => {
        if (envelope.type !== name) return undefined;
        const typed = envelope as Envelope<T>;
        return predicate(typed.body, typed) ? typed.body : undefined;
      },
      timeoutMs,
      () => `No ${name} ${this.what} within ${timeoutMs} ms; ${this.what}: [${this.recorded.entries.map((e) => e.type).join(', ')}]`,
    );
  }

  /** Forgets what was recorded (for a test's second act). */
  clear(): void {
    this.recorded.clear();
  }
}
