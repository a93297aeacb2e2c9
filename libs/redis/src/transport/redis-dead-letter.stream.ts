import {
  type ArchivedDeadLetter,
  archivedDeadLetter,
  type DeadLetter,
  type DeadLetterArchive,
  type DeadLetterFacts,
  type DeadLetterQuery,
  DEFAULT_DEAD_LETTER_LIST_LIMIT,
  deadLetterRecord,
  matchesDeadLetterQuery,
  readDeadLetter,
  reportDeadLetter,
  type TransportSignals,
} from '@catga/core/transport';
import type { RedisClient } from './redis-streams.connection.js';
import { RedisPlainReader } from './redis-plain.reader.js';
import type { ReaderContext } from './redis-stream.reader.js';
import { bodyOf, fieldsOf, headersOf, readableHeadersOf, type StreamEntry } from './redis-stream.entry.js';

/** Entries read per XRANGE while listing. */
const LIST_PAGE = 200;
/** A stream entry id, as XADD makes them. */
const ENTRY_ID = /^\d+-\d+$/;

/**
 * The dead-letter stream, one per prefix: each entry keeps the event's body in `b` and, in `h`,
 * its headers plus the `Catga-Dead-*` ones (docs/PROTOCOL.md); `type` repeats the event's type
 * for a reader scanning the stream by hand. As an archive, a dead letter's id is its entry id.
 */
export class RedisDeadLetterStream implements DeadLetterArchive {
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

  /** Reads the stream oldest first (from `since`, by entry id), a page at a time, until it has `limit` matches. */
  async list(query: DeadLetterQuery = {}): Promise<ArchivedDeadLetter[]> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT;
    const out: ArchivedDeadLetter[] = [];
    let start = query.since === undefined ? '-' : `${Math.max(0, Math.floor(query.since))}-0`;
    for (;;) {
      const page = (await this.client.xrange(this.key, start, '+', 'COUNT', LIST_PAGE)) as StreamEntry[];
      for (const entry of page) {
        // The type field first: a listing by type reads only its own entries' headers.
        if (query.type !== undefined && fieldsOf(entry).get('type') !== query.type) continue;
        const stored = this.archived(entry);
        if (stored && matchesDeadLetterQuery(stored, query)) out.push(stored);
        if (out.length >= limit) return out;
      }
      if (page.length < LIST_PAGE) return out;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  async get(id: string): Promise<ArchivedDeadLetter | undefined> {
    if (!ENTRY_ID.test(id)) return undefined;
    const [entry] = (await this.client.xrange(this.key, id, id)) as StreamEntry[];
    return entry && this.archived(entry);
  }

  async remove(id: string): Promise<boolean> {
    if (!ENTRY_ID.test(id)) return false;
    return (await this.client.xdel(this.key, id)) === 1;
  }

  private archived(entry: StreamEntry): ArchivedDeadLetter | undefined {
    try {
      const fields = fieldsOf(entry);
      return archivedDeadLetter(entry[0], headersOf(fields), bodyOf(fields));
    } catch (error) {
      this.logger.warn(`Unreadable dead letter ${entry[0]}: ${String(error)}`);
      return undefined;
    }
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
