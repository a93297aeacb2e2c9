import type { LuaScript } from '../lua-script.js';
import { ACK, GIVE_BACK, RECLAIM, TOUCH } from './redis-pending-entry.scripts.js';
import type { StreamEntry } from './redis-stream.entry.js';
import type { RedisClient } from './redis-streams.connection.js';

/** The shortest time between two keep-alives, however short `ackWaitMs` is. */
const MIN_TOUCH_INTERVAL_MS = 50;
/** Most ids one keep-alive script checks and touches. */
const TOUCH_BATCH = 100;

/** One consumer of a group on one stream. */
export interface PendingStream {
  readonly key: string;
  readonly group: string;
  readonly consumer: string;
}

/** An entry claimed back with the delivery count Redis now keeps for it. */
export interface Reclaimed {
  readonly entry: StreamEntry;
  readonly deliveries: number;
}

/**
 * The entries one group reader holds, being handled or waiting to be claimed back after a failure.
 * One timer touches them all every third of `ackWaitMs` (`XCLAIM … JUSTID` to the same consumer:
 * the idle time restarts, the delivery count stays), so only a dead or frozen reader's entries
 * go idle long enough for another reader to claim; the timer runs only while something is held.
 * Touch, ack and claim back each act only on an entry still pending with this consumer: one that
 * another reader claimed during a stall is left to it (docs/DECISIONS.md, Failover).
 */
export class RedisHeldEntries {
  private readonly ids = new Set<string>();
  private readonly intervalMs: number;
  private readonly ackWaitMs: number;
  private timer: NodeJS.Timeout | undefined;
  private touching = false;

  constructor(
    private readonly client: RedisClient,
    private readonly stream: PendingStream,
    ackWaitMs: number,
    private readonly logger: { warn(message: string): void },
  ) {
    this.ackWaitMs = ackWaitMs;
    this.intervalMs = Math.max(MIN_TOUCH_INTERVAL_MS, Math.floor(ackWaitMs / 3));
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  hold(id: string): void {
    this.ids.add(id);
    this.timer ??= setInterval(() => this.touch(), this.intervalMs);
  }

  /** Stops keeping the entry alive; it stays pending with this consumer until acked or claimed. */
  release(id: string): void {
    this.ids.delete(id);
    this.stopWhenEmpty();
  }

  /** Releases the entry and acks it, unless another consumer has claimed it meanwhile. */
  async ack(id: string): Promise<void> {
    this.release(id);
    const acked = await this.run(ACK, id);
    if (typeof acked === 'string') this.tookOver(id, acked, 'acked');
  }

  /** Claims the entry back (a delivery more) if it is still this consumer's; released when it is not. */
  async reclaim(id: string): Promise<Reclaimed | undefined> {
    const claimed = (await this.run(RECLAIM, id)) as [StreamEntry, number] | string | 0;
    if (Array.isArray(claimed)) return { entry: claimed[0], deliveries: claimed[1] };
    this.release(id);
    if (typeof claimed === 'string') this.tookOver(id, claimed, 'claimed back');
    return undefined;
  }

  /**
   * Releases the entry and leaves it pending as if this delivery had not happened (its count back
   * by one) and idle for `ackWaitMs`, for another reader to claim now; unless another consumer has it.
   */
  async giveBack(id: string): Promise<void> {
    this.release(id);
    const given = await this.run(GIVE_BACK, id, String(this.ackWaitMs));
    if (typeof given === 'string') this.tookOver(id, given, 'given back');
  }

  private run(script: LuaScript, ...args: string[]): Promise<unknown> {
    const { key, group, consumer } = this.stream;
    return script.run(this.client, 1, key, group, consumer, ...args);
  }

  /** One round of keep-alives; skipped while the last one is still on its way. */
  private touch(): void {
    if (this.touching) return;
    this.touching = true;
    void this.touchAll()
      .catch((error: unknown) => this.logger.warn(`Keeping entries of ${this.stream.key} alive failed: ${String(error)}`))
      .finally(() => (this.touching = false));
  }

  private async touchAll(): Promise<void> {
    const ids = [...this.ids];
    for (let i = 0; i < ids.length; i += TOUCH_BATCH) {
      const lost = (await this.run(TOUCH, ...ids.slice(i, i + TOUCH_BATCH))) as string[];
      // Acked meanwhile, or claimed by another reader during a stall: nothing more to keep alive.
      for (const id of lost) this.ids.delete(id);
    }
    this.stopWhenEmpty();
  }

  private stopWhenEmpty(): void {
    if (this.ids.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tookOver(id: string, owner: string, what: string): void {
    this.logger.warn(`Entry ${id} of ${this.stream.key} was not ${what}: ${owner} claimed it while this reader stalled`);
  }
}
