import {
  type DeadLetter,
  type DeadLetterFacts,
  deadLetterRecord,
  readDeadLetter,
  reportDeadLetter,
  type TransportSignals,
} from '@catga/core/transport';
import type { RedisClient } from './redis-streams.connection.js';
import { RedisPlainReader } from './redis-plain.reader.js';
import type { ReaderContext } from './redis-stream.reader.js';
import { bodyOf, fieldsOf, headersOf, readableHeadersOf, type StreamEntry } from './redis-stream.entry.js';

/**
 * The dead-letter stream, one per prefix: each entry keeps the event's body in `b` and, in `h`,
 * its headers plus the `Catga-Dead-*` ones (docs/PROTOCOL.md); `type` repeats the event's type
 * for a reader scanning the stream by hand.
 */
export class RedisDeadLetterStream {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
    private readonly maxLength: number,
    private readonly logger: { warn(message: string): void },
  ) {}

  /** Writes the event's entry with why it died, then tells the observers. */
  async write(fields: ReadonlyMap<string, string>, facts: DeadLetterFacts, signals: TransportSignals | undefined): Promise<void> {
    // An entry whose headers are unreadable is dead-lettered too, with the Catga-Dead ones alone.
    const record = deadLetterRecord(readableHeadersOf(fields), facts);
    await this.client.xadd(
      this.key,
      'MAXLEN',
      '~',
      String(this.maxLength),
      '*',
      'h',
      JSON.stringify(record.headers),
      'b',
      fields.get('b') ?? '',
      'type',
      facts.type,
    );
    reportDeadLetter(signals, this.logger, facts, record);
  }

  /** Reads an entry of this stream back; throws a typed wire error when it is unreadable. */
  private read(entry: StreamEntry): DeadLetter {
    const fields = fieldsOf(entry);
    return readDeadLetter(headersOf(fields), bodyOf(fields));
  }

  /** A reader handing `handler` each dead letter written from now on; one it cannot read, or that fails, is logged. */
  reader(context: ReaderContext, handler: (deadLetter: DeadLetter) => Promise<void>): RedisPlainReader {
    return new RedisPlainReader(context, this.key, async (entry) => {
      try {
        await handler(this.read(entry));
      } catch (error) {
        context.logger.warn(`Dead-letter handler failed: ${String(error)}`);
      }
    });
  }
}
