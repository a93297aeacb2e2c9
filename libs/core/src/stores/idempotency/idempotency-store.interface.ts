import type { SerializedError } from '../../errors/error.serializer.js';

/** The stored outcome of a handled message: its result, or the (non-retryable) error it ended with. */
export type IdempotencyOutcome = { ok: true; result: unknown } | { ok: false; error: SerializedError };

export type ClaimResult =
  { status: 'claimed' } | { status: 'completed'; outcome: IdempotencyOutcome } | { status: 'in-progress'; owner: string };

/**
 * Remembers which messages were handled and how they ended. Exactly one concurrent claimant
 * of a key wins; the others see `in-progress` and wait, or see the completed outcome.
 */
export interface IdempotencyStore {
  /** Claims `key` for `owner` for `claimTtlMs` (a claim whose owner died expires and can be claimed again). */
  tryClaim(key: string, owner: string, claimTtlMs: number): Promise<ClaimResult>;
  /**
   * Stores the outcome for `retentionMs` and wakes waiters; returns false, storing and applying
   * nothing, if `owner` no longer holds the claim (it lapsed, or was taken over: fencing). A store
   * that `holdsWrites` applies `writes` (its own kind) in the same atomic step.
   */
  complete(key: string, owner: string, outcome: IdempotencyOutcome, retentionMs: number, writes?: readonly unknown[]): Promise<boolean>;
  /**
   * Takes the claim `from` holds for `to` (for `claimTtlMs`), compare-and-set on the owner: the
   * takeover of an owner known dead. False if `from` no longer holds it (completed, released,
   * taken by another).
   */
  takeOver(key: string, from: string, to: string, claimTtlMs: number): Promise<boolean>;
  /** Whether `complete` can apply a handler's held writes atomically with the outcome. */
  readonly holdsWrites?: boolean;
  /**
   * Kept in this process's memory: it is never unreachable and nothing outside the process reads
   * it, so a handling whose id exists only here (`MessageContext.privateId`) skips it.
   */
  readonly inProcess?: boolean;
  /** Extends `owner`'s claim to `claimTtlMs` from now; false if it no longer holds it. */
  renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean>;
  /** Gives the claim up without an outcome (the handling may be retried). Ignored if `owner` does not hold it. */
  release(key: string, owner: string): Promise<void>;
  /** Resolves with the outcome once completed; `undefined` if the claim was released or expired, or on timeout. */
  waitForOutcome(key: string, timeoutMs: number): Promise<IdempotencyOutcome | undefined>;
  /** The outcome if completed, else `undefined`. */
  get(key: string): Promise<IdempotencyOutcome | undefined>;
}
