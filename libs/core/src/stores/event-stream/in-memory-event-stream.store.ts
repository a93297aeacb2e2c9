import { ConcurrencyConflictError } from '../../errors/catga-errors.js';
import type { EventStreamStore, NewStreamEvent, StoredStreamEvent } from './event-stream-store.interface.js';

/** Event streams in this process's memory: the embedded default and a test harness. */
export class InMemoryEventStreamStore implements EventStreamStore {
  private readonly streams = new Map<string, StoredStreamEvent[]>();

  async append(streamId: string, events: readonly NewStreamEvent[], expectedVersion: number): Promise<number> {
    const stream = this.streams.get(streamId) ?? [];
    if (stream.length !== expectedVersion) {
      throw new ConcurrencyConflictError(`Stream "${streamId}" is at version ${stream.length}, expected ${expectedVersion}`, {
        details: { streamId, expectedVersion, actualVersion: stream.length },
      });
    }
    const timestamp = Date.now();
    for (const event of events) {
      stream.push(structuredClone({ ...event, streamId, version: stream.length + 1, timestamp }));
    }
    this.streams.set(streamId, stream);
    return stream.length;
  }

  async read(streamId: string, afterVersion = 0, limit = Number.MAX_SAFE_INTEGER): Promise<StoredStreamEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    return structuredClone(stream.slice(afterVersion, afterVersion + limit));
  }

  async version(streamId: string): Promise<number> {
    return this.streams.get(streamId)?.length ?? 0;
  }
}
