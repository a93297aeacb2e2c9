import { TERMINAL_SAGA_STATUSES, type SagaState, type SagaStatus } from './saga-state.js';
import { ownersDown } from './owners-down.js';
import { DEFAULT_SAGA_LIST_LIMIT, type SagaQuery, type SagaStore } from './saga-store.interface.js';

/** Saga state in this process's memory: the embedded default and a test harness. */
export class InMemorySagaStore implements SagaStore {
  private readonly sagas = new Map<string, SagaState>();

  async create(state: SagaState, lease?: { owner: string; ttlMs: number }): Promise<boolean> {
    if (this.sagas.has(state.sagaId)) return false;
    const stored = structuredClone({ ...state, version: 1 });
    delete stored.lease;
    if (lease) stored.lease = { owner: lease.owner, expiresAt: Date.now() + lease.ttlMs };
    this.sagas.set(state.sagaId, stored);
    return true;
  }

  async get(sagaId: string): Promise<SagaState | undefined> {
    const state = this.sagas.get(sagaId);
    return state && structuredClone(state);
  }

  async update(state: SagaState, expectedVersion: number, releaseLeaseOf?: string): Promise<boolean> {
    const current = this.sagas.get(state.sagaId);
    if (!current || current.version !== expectedVersion) return false;
    // The lease is owned by acquire/release; an update keeps whatever lease is stored, unless it releases its own.
    const lease = releaseLeaseOf !== undefined && current.lease?.owner === releaseLeaseOf ? undefined : current.lease;
    this.sagas.set(state.sagaId, structuredClone({ ...state, version: expectedVersion + 1, lease }));
    return true;
  }

  async acquireLease(sagaId: string, owner: string, ttlMs: number, takeFrom?: string): Promise<boolean> {
    const current = this.sagas.get(sagaId);
    if (!current) return false;
    const now = Date.now();
    const lease = current.lease;
    if (lease && lease.owner !== owner && lease.owner !== takeFrom && lease.expiresAt > now) return false;
    current.lease = { owner, expiresAt: now + ttlMs };
    return true;
  }

  async releaseLease(sagaId: string, owner: string): Promise<void> {
    const current = this.sagas.get(sagaId);
    if (current?.lease?.owner === owner) delete current.lease;
  }

  async findOrphaned(now: number, limit: number, ownerIsDown?: (owner: string) => Promise<boolean>): Promise<string[]> {
    const unfinished = [...this.sagas.values()].filter((s) => !TERMINAL_SAGA_STATUSES.includes(s.status));
    const down = await ownersDown(
      unfinished.map((s) => (s.lease && s.lease.expiresAt > now ? s.lease.owner : undefined)),
      ownerIsDown,
    );
    return unfinished
      .filter((s) => !s.lease || s.lease.expiresAt <= now || down.has(s.lease.owner))
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit)
      .map((s) => s.sagaId);
  }

  async countByStatus(): Promise<Record<SagaStatus, number>> {
    const counts: Record<SagaStatus, number> = {
      Pending: 0,
      Running: 0,
      Compensating: 0,
      Completed: 0,
      Compensated: 0,
      Failed: 0,
    };
    for (const s of this.sagas.values()) counts[s.status]++;
    return counts;
  }

  async list(query: SagaQuery = {}): Promise<SagaState[]> {
    return [...this.sagas.values()]
      .filter((s) => (!query.status || s.status === query.status) && (!query.sagaName || s.sagaName === query.sagaName))
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, query.limit ?? DEFAULT_SAGA_LIST_LIMIT)
      .map((s) => structuredClone(s));
  }
}
