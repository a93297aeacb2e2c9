import type { ClaimResult, IdempotencyOutcome, IdempotencyStore } from './idempotency-store.interface.js';

type Entry =
  { state: 'claimed'; owner: string; expiresAt: number } | { state: 'completed'; outcome: IdempotencyOutcome; expiresAt: number };

type Waiter = (outcome: IdempotencyOutcome | undefined) => void;

export interface InMemoryIdempotencyStoreOptions {
  /**
   * Most records kept; beyond it the oldest completed ones are forgotten before their retention
   * ends (memory is the bound here, not time). Default 100000.
   */
  maxEntries?: number;
}

/** Idempotency records in this process's memory: the embedded default and a test harness. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly inProcess = true;
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly maxEntries: number;
  private sweepAt = 0;

  constructor(options: InMemoryIdempotencyStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  async tryClaim(key: string, owner: string, claimTtlMs: number): Promise<ClaimResult> {
    const now = Date.now();
    this.sweep(now);
    const entry = this.live(key, now);
    if (entry?.state === 'completed') return { status: 'completed', outcome: entry.outcome };
    if (entry?.state === 'claimed') return { status: 'in-progress', owner: entry.owner };
    this.entries.set(ownedCopy(key), { state: 'claimed', owner, expiresAt: now + claimTtlMs });
    if (this.entries.size > this.maxEntries) this.evictOldest();
    return { status: 'claimed' };
  }

  async complete(key: string, owner: string, outcome: IdempotencyOutcome, retentionMs: number): Promise<boolean> {
    const entry = this.live(key, Date.now());
    if (entry?.state !== 'claimed' || entry.owner !== owner) return false;
    const stored = outcome.ok ? { ok: true as const, result: cloneResult(outcome.result) } : outcome;
    this.entries.set(key, { state: 'completed', outcome: stored, expiresAt: Date.now() + retentionMs });
    this.wake(key, stored);
    return true;
  }

  async takeOver(key: string, from: string, to: string, claimTtlMs: number): Promise<boolean> {
    const entry = this.live(key, Date.now());
    if (entry?.state !== 'claimed' || entry.owner !== from) return false;
    this.entries.set(key, { state: 'claimed', owner: to, expiresAt: Date.now() + claimTtlMs });
    return true;
  }

  async renewClaim(key: string, owner: string, claimTtlMs: number): Promise<boolean> {
    const entry = this.live(key, Date.now());
    if (entry?.state !== 'claimed' || entry.owner !== owner) return false;
    entry.expiresAt = Date.now() + claimTtlMs;
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.state !== 'claimed' || entry.owner !== owner) return;
    this.entries.delete(key);
    this.wake(key, undefined);
  }

  async get(key: string): Promise<IdempotencyOutcome | undefined> {
    const entry = this.live(key, Date.now());
    return entry?.state === 'completed' ? entry.outcome : undefined;
  }

  waitForOutcome(key: string, timeoutMs: number): Promise<IdempotencyOutcome | undefined> {
    const entry = this.live(key, Date.now());
    if (!entry) return Promise.resolve(undefined);
    if (entry.state === 'completed') return Promise.resolve(entry.outcome);
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      // A claim that expires while we wait must wake us too, so the wait is capped by the claim's expiry.
      const limit = Math.max(0, Math.min(timeoutMs, entry.expiresAt - Date.now() + 1));
      const waiter: Waiter = (outcome) => {
        clearTimeout(timer);
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(key);
        resolve(outcome);
      };
      const timer = setTimeout(() => waiter(this.completedOutcome(key)), limit);
      set.add(waiter);
    });
  }

  /** Number of records held, claimed or completed (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private completedOutcome(key: string): IdempotencyOutcome | undefined {
    const entry = this.live(key, Date.now());
    return entry?.state === 'completed' ? entry.outcome : undefined;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private wake(key: string, outcome: IdempotencyOutcome | undefined): void {
    const set = this.waiters.get(key);
    if (!set) return;
    for (const waiter of [...set]) waiter(outcome);
  }

  private evictOldest(): void {
    // Map order is insertion order: the first completed entries are the oldest; live claims stay.
    // A tenth at a time, so eviction runs once per many claims rather than on every one.
    const target = Math.floor(this.maxEntries * 0.9);
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= target) return;
      if (entry.state === 'completed') this.entries.delete(key);
    }
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/**
 * The key as a string of its own. A key built from a received message id is, in V8, a view into
 * the text its header block was decoded as; the record kept for days would keep that whole text
 * (five times the key) alive. The entry keeps the first key it was set with, so the copy is made
 * once, at the claim.
 */
function ownedCopy(key: string): string {
  return JSON.parse(JSON.stringify(key)) as string;
}

function cloneResult(result: unknown): unknown {
  // The store keeps what a remote store would: plain data, detached from the handler's objects.
  return result === undefined || result === null || typeof result !== 'object' ? result : structuredClone(result);
}
