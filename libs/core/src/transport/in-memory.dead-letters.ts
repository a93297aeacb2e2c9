import { archivedDeadLetter, DEFAULT_DEAD_LETTER_LIST_LIMIT, matchesDeadLetterQuery } from './kit/dead-letter-record.js';
import type { ArchivedDeadLetter, DeadLetterArchive, DeadLetterQuery } from './transport.interface.js';

/** What an in-memory broker keeps of its dead letters at most: the oldest go first past either bound. */
export const IN_MEMORY_DEAD_LETTER_LIMITS = { count: 10_000, bytes: 64 * 1024 * 1024 } as const;

interface Kept {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  readonly bytes: number;
}

/**
 * The in-memory broker's dead letters, in the order they were given up, each under a sequence
 * number: kept as they would travel (headers and encoded body), bounded by count and bytes, and
 * decoded when read, so a poison message cannot grow the embedded default.
 */
export class InMemoryDeadLetters implements DeadLetterArchive {
  private readonly kept = new Map<string, Kept>();
  private sequence = 0;
  private bytes = 0;

  constructor(private readonly limits: { count: number; bytes: number } = IN_MEMORY_DEAD_LETTER_LIMITS) {}

  /** Keeps a record a transport wrote (its headers and the event's body) and returns it as read back. */
  add(headers: ReadonlyMap<string, string>, body: Uint8Array): ArchivedDeadLetter {
    const id = String(++this.sequence);
    const read = archivedDeadLetter(id, headers, body);
    let size = body.byteLength;
    for (const [name, value] of headers) size += name.length + value.length;
    this.kept.set(id, { headers, body, bytes: size });
    this.bytes += size;
    while (this.kept.size > this.limits.count || (this.bytes > this.limits.bytes && this.kept.size > 0)) {
      const [oldest, entry] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      this.bytes -= entry.bytes;
    }
    return read;
  }

  async list(query: DeadLetterQuery = {}): Promise<ArchivedDeadLetter[]> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT;
    const out: ArchivedDeadLetter[] = [];
    for (const [id, entry] of this.kept) {
      if (out.length >= limit) break;
      const read = archivedDeadLetter(id, entry.headers, entry.body);
      if (matchesDeadLetterQuery(read, query)) out.push(read);
    }
    return out;
  }

  async get(id: string): Promise<ArchivedDeadLetter | undefined> {
    const entry = this.kept.get(id);
    return entry && archivedDeadLetter(id, entry.headers, entry.body);
  }

  async remove(id: string): Promise<boolean> {
    const entry = this.kept.get(id);
    if (!entry) return false;
    this.kept.delete(id);
    this.bytes -= entry.bytes;
    return true;
  }
}
