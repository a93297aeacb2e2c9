export interface NewStreamEvent {
  /** Unique id of the event (its message id when it was also published). */
  id: string;
  type: string;
  body: unknown;
  metadata?: Record<string, string>;
}

export interface StoredStreamEvent extends NewStreamEvent {
  streamId: string;
  /** 1 for the first event of a stream, then +1 per event. */
  version: number;
  timestamp: number;
}

/** Per-aggregate event history with optimistic concurrency. */
export interface EventStreamStore {
  /**
   * Appends after `expectedVersion` (0 for a new stream) and returns the new version.
   * Throws `ConcurrencyConflictError` if the stream's version differs.
   */
  append(streamId: string, events: readonly NewStreamEvent[], expectedVersion: number): Promise<number>;
  /** Events with version greater than `afterVersion` (0 reads all), in order. */
  read(streamId: string, afterVersion?: number, limit?: number): Promise<StoredStreamEvent[]>;
  /** Current version, 0 if the stream does not exist. */
  version(streamId: string): Promise<number>;
}
