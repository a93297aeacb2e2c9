import type { SagaState, SagaStatus } from './saga-state.js';

/** Persisted saga state shared by every instance, updated by compare-and-set on `version`. */
export interface SagaStore {
  /**
   * Stores a new saga at version 1, leased to `lease.owner` for `lease.ttlMs` when given (in the
   * same write). Returns false (and changes nothing) if the id exists.
   */
  create(state: SagaState, lease?: { owner: string; ttlMs: number }): Promise<boolean>;
  get(sagaId: string): Promise<SagaState | undefined>;
  /**
   * Replaces the saga if its stored version equals `expectedVersion`; the stored version becomes
   * `expectedVersion + 1`. Returns false when another writer got there first. The stored lease is
   * kept, unless `releaseLeaseOf` holds it: then it is released in the same write (a saga's last).
   */
  update(state: SagaState, expectedVersion: number, releaseLeaseOf?: string): Promise<boolean>;
  /**
   * Takes or renews the lease if it is free, expired, or already `owner`'s; or, with `takeFrom`,
   * if `takeFrom` holds it (compare-and-set on the holder: the takeover of an owner known down).
   */
  acquireLease(sagaId: string, owner: string, ttlMs: number, takeFrom?: string): Promise<boolean>;
  releaseLease(sagaId: string, owner: string): Promise<void>;
  /**
   * Ids of non-terminal sagas whose lease is absent or expired at `now`, oldest first; with
   * `ownerIsDown`, also those whose lease is held by an owner it says is down (asked once per
   * distinct owner).
   */
  findOrphaned(now: number, limit: number, ownerIsDown?: (owner: string) => Promise<boolean>): Promise<string[]>;
  countByStatus(): Promise<Record<SagaStatus, number>>;
  /**
   * Sagas for a person to look at, most recently updated first: those of `status` (every status
   * when absent) and `sagaName`, at most `limit` (default 100). A store may look at a bounded
   * number of sagas per status to answer; a finished saga past its retention is not listed.
   */
  list(query?: SagaQuery): Promise<SagaState[]>;
}

export interface SagaQuery {
  status?: SagaStatus;
  sagaName?: string;
  /** Default 100. */
  limit?: number;
}

/** The sagas a listing returns when it names no limit. */
export const DEFAULT_SAGA_LIST_LIMIT = 100;
