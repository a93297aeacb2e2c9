import type { InFlight } from '@catga/core/transport';
import type { RedisClient } from './redis-streams.connection.js';

/** What every blocking reader of one transport shares. */
export interface ReaderContext {
  /** The transport's connection, for the commands that do not block (XACK, XCLAIM, XPENDING, XADD). */
  readonly client: RedisClient;
  /** How long one blocking read waits; also bounds how long a stopping reader takes. */
  readonly blockMs: number;
  /** Where each handling is tracked, so a drain waits for it. */
  readonly inFlight: InFlight;
  readonly logger: { warn(message: string): void };
}

/** A reader with a loop on a connection of its own. */
export interface StreamReader {
  start(): Promise<void>;
  /** Ends the loop (within one `blockMs`) and closes the reader's connection; handlings in hand go on. */
  stop(): Promise<void>;
}

/** How long a reader waits after a failed read before reading again. */
export const READ_RETRY_PAUSE_MS = 500;
