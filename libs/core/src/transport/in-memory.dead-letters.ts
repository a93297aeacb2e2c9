import { archivedDeadLetter, DEFAULT_DEAD_LETTER_LIST_LIMIT, matchesDeadLetterQuery } from './kit/dead-letter-record.js';
import type { ArchivedDeadLetter, DeadLetterArchive, DeadLetterQuery } from './transport.interface.js';

/** Dead letters an in-memory broker keeps, at most this many (the oldest go first). */
export const IN_MEMORY_DEAD_LETTER_LIMIT = 10_000;

/** The in-memory broker's dead letters, in the order they were given up, each under a sequence number. */
export class InMemoryDeadLetters implements DeadLetterArchive {
  private readonly entries = new Map<string, ArchivedDeadLetter>();
  private sequence = 0;

  /** Keeps the record a transport wrote (its headers and the event's body) and returns it as read back. */
  add(headers: ReadonlyMap<string, string>, body: Uint8Array): ArchivedDeadLetter {
    const stored = archivedDeadLetter(String(++this.sequence), headers, body);
    this.entries.set(stored.id, stored);
    if (this.entries.size > IN_MEMORY_DEAD_LETTER_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    return stored;
  }

  async list(query: DeadLetterQuery = {}): Promise<ArchivedDeadLetter[]> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT;
    const out: ArchivedDeadLetter[] = [];
    for (const entry of this.entries.values()) {
      if (out.length >= limit) break;
      if (matchesDeadLetterQuery(entry, query)) out.push(entry);
    }
    return out;
  }

  async get(id: string): Promise<ArchivedDeadLetter | undefined> {
    return this.entries.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }
}
