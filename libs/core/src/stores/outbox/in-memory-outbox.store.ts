import type { SerializedError } from '../../errors/error.serializer.js';
import type { OutboxEntry, OutboxStore, ParkedOutboxEntry } from './outbox-store.interface.js';

interface Slot {
  entry: OutboxEntry;
  lease?: { owner: string; expiresAt: number };
}

/** Outbox in this process's memory: the embedded default and a test harness. */
export class InMemoryOutboxStore implements OutboxStore {
  // Map keeps insertion order, which is creation order.
  private readonly slots = new Map<string, Slot>();
  private readonly parkedEntries = new Map<string, ParkedOutboxEntry>();

  async save(entries: readonly OutboxEntry[]): Promise<void> {
    for (const entry of entries) if (!this.slots.has(entry.id) && !this.parkedEntries.has(entry.id)) this.slots.set(entry.id, { entry });
  }

  async claimPending(owner: string, limit: number, leaseMs: number, createdBefore = Infinity): Promise<OutboxEntry[]> {
    const now = Date.now();
    const out: OutboxEntry[] = [];
    for (const slot of this.slots.values()) {
      if (out.length >= limit) break;
      if (slot.entry.createdAt >= createdBefore) continue;
      if (slot.lease && slot.lease.owner !== owner && slot.lease.expiresAt > now) continue;
      slot.lease = { owner, expiresAt: now + leaseMs };
      out.push(slot.entry);
    }
    return out;
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.slots.delete(id);
  }

  async release(ids: readonly string[], owner: string): Promise<void> {
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot?.lease?.owner === owner) delete slot.lease;
    }
  }

  async pendingCount(): Promise<number> {
    return this.slots.size;
  }

  async park(entries: readonly { id: string; reason: SerializedError }[]): Promise<void> {
    const parkedAt = Date.now();
    for (const { id, reason } of entries) {
      const slot = this.slots.get(id);
      if (!slot) continue;
      this.slots.delete(id);
      this.parkedEntries.set(id, { ...slot.entry, reason, parkedAt });
    }
  }

  async parked(limit: number): Promise<ParkedOutboxEntry[]> {
    return [...this.parkedEntries.values()].slice(0, limit);
  }
}
