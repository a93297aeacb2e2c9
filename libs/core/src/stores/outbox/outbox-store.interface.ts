import type { Envelope } from '../../envelope/envelope.js';
import type { SerializedError } from '../../errors/error.serializer.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.interface.js';

export interface OutboxEntry {
  /** The message id; downstream de-duplication keys on it. */
  readonly id: string;
  readonly envelope: Envelope;
  readonly createdAt: number;
}

/** An entry that can never be published (the transport refused it for good), kept with why. */
export interface ParkedOutboxEntry extends OutboxEntry {
  readonly reason: SerializedError;
  readonly parkedAt: number;
}

/**
 * Events waiting to be published. A relay claims a batch under a lease so two instances never
 * relay the same entries at once; an entry stays until marked published (at-least-once).
 */
export interface OutboxStore {
  save(entries: readonly OutboxEntry[]): Promise<void>;
  /**
   * Unpublished entries created before `createdBefore` (ms epoch), oldest first, not leased by
   * someone else; leases them to `owner` for `leaseMs`.
   */
  claimPending(owner: string, limit: number, leaseMs: number, createdBefore?: number): Promise<OutboxEntry[]>;
  markPublished(ids: readonly string[]): Promise<void>;
  /** Gives leased entries back without publishing (a failed publish). */
  release(ids: readonly string[], owner: string): Promise<void>;
  /** Entries waiting to be published; parked ones not included. */
  pendingCount(): Promise<number>;
  /** Takes entries out of the pending ones for good, keeping each with the reason it cannot be published. */
  park(entries: readonly { id: string; reason: SerializedError }[]): Promise<void>;
  /** Parked entries, oldest parked first. */
  parked(limit: number): Promise<ParkedOutboxEntry[]>;
  /**
   * When this outbox can be written in the same atomic step in which `store` records an outcome:
   * a function giving the held writes (`store`'s own kind, see `IdempotencyStore.complete`) that
   * save `entries`. A handling's outcome and the events it raised are then stored together, and a
   * crash between the two cannot lose the events. `undefined` when they cannot be one step
   * (another server, a Redis Cluster slot apart).
   */
  savesWith?(store: IdempotencyStore): ((entries: readonly OutboxEntry[]) => unknown[]) | undefined;
}
