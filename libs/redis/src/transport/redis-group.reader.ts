import { sleep } from '@catga/core/transport';
import { RedisHeldEntries } from './redis-held.entries.js';
import { READ_RETRY_PAUSE_MS, type ReaderContext, type StreamReader } from './redis-stream.reader.js';
import { duplicate, type RedisClient } from './redis-streams.connection.js';
import type { ReadReply, StreamEntry } from './redis-stream.entry.js';

/**
 * What handling an entry decided: `true` to ack it, a delay in ms after which this reader claims it
 * again, or `'refused'` (this instance is shutting down) to give it back uncounted for another reader.
 */
export type GroupOutcome = true | number | 'refused';

/** Handles one entry; `deliveries` is Redis's delivery count of the entry (1 when first read). */
export type GroupHandler = (entry: StreamEntry, deliveries: number) => Promise<GroupOutcome>;

export interface GroupReaderOptions {
  readonly key: string;
  readonly group: string;
  readonly consumer: string;
  /** Entries in hand at once; at the limit the reader waits for one to finish. */
  readonly concurrency: number;
  /** Most entries taken by one read. */
  readonly batch: number;
  /** An entry left this long without a keep-alive by the consumer holding it (it died or froze) is claimed by this one. */
  readonly ackWaitMs: number;
}

/** Most stale entries claimed by one sweep. */
const STALE_BATCH = 64;
/** The longest between two sweeps for stale entries, however long `ackWaitMs` is. */
const MAX_SWEEP_INTERVAL_MS = 5_000;
/** The shortest between two sweeps, however short `ackWaitMs` is. */
const MIN_SWEEP_INTERVAL_MS = 50;

/**
 * A consumer-group reader: reads new entries, keeps those in hand alive, acks or claims back each
 * after handling, and takes over the entries of a reader that stopped keeping them alive.
 */
export class RedisGroupReader implements StreamReader {
  private running = false;
  private connection: RedisClient | undefined;
  private loop: Promise<void> | undefined;
  private active = 0;
  private slotFreed: (() => void) | undefined;
  private readonly held: RedisHeldEntries;
  /** Claim-backs waiting for their delay, by entry id. */
  private readonly claimBacks = new Map<string, NodeJS.Timeout>();
  /** Entries this reader gave back after a refusal: its own sweeps leave them to the other readers. */
  private readonly refused = new Set<string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly context: ReaderContext,
    private readonly options: GroupReaderOptions,
    private readonly handle: GroupHandler,
  ) {
    const { key, group, consumer, ackWaitMs } = options;
    this.held = new RedisHeldEntries(context.client, { key, group, consumer }, ackWaitMs, context.logger);
  }

  async start(): Promise<void> {
    this.running = true;
    this.connection = duplicate(this.context.client);
    this.loop = this.read(this.connection);
    const sweepMs = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(MIN_SWEEP_INTERVAL_MS, Math.floor(this.options.ackWaitMs / 2)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweep();
  }

  /** Ends reading and sweeping; handlings in hand go on (and are kept alive), claim-backs are left to the group. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    for (const [id, timer] of this.claimBacks) {
      clearTimeout(timer);
      this.held.release(id);
    }
    this.claimBacks.clear();
    this.refused.clear();
    this.freeSlot();
    await Promise.all([this.loop, this.sweeping]);
    this.connection?.disconnect();
  }

  private async read(connection: RedisClient): Promise<void> {
    const { key, group, consumer, concurrency, batch } = this.options;
    while (this.running) {
      try {
        if (this.active >= concurrency) {
          await this.slotFree();
          continue;
        }
        const read = (await connection.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          Math.min(batch, concurrency - this.active),
          'BLOCK',
          this.context.blockMs,
          'STREAMS',
          key,
          '>',
        )) as ReadReply;
        for (const [, entries] of read ?? []) for (const entry of entries) this.process(entry, 1);
      } catch (error) {
        if (!this.running) break;
        this.context.logger.warn(`Reading ${key} failed: ${String(error)}`);
        await sleep(READ_RETRY_PAUSE_MS);
      }
    }
  }

  /** One sweep for stale entries, unless one is on its way or every slot is taken. */
  private sweep(): void {
    if (this.sweeping || !this.running || this.active >= this.options.concurrency) return;
    this.sweeping = this.claimStale()
      .catch((error: unknown) => this.context.logger.warn(`Claiming stale entries of ${this.options.key} failed: ${String(error)}`))
      .finally(() => (this.sweeping = undefined));
  }

  /** Claims what was left pending without a keep-alive for `ackWaitMs`: its reader died or froze. */
  private async claimStale(): Promise<void> {
    const { key, group, consumer, ackWaitMs, concurrency } = this.options;
    const client = this.context.client;
    const room = Math.min(STALE_BATCH, concurrency - this.active);
    const stale = (await client.call('XPENDING', key, group, 'IDLE', String(ackWaitMs), '-', '+', String(room))) as Array<
      [string, string, number, number]
    >;
    for (const [id, , , count] of stale) {
      // Still in hand here: it went stale while this process stalled; once that handling ends it is acked or left to a later sweep.
      if (this.held.has(id) || this.refused.has(id)) continue;
      // The idle time is checked again: the owner may have touched the entry since XPENDING.
      const claimed = (await client.call('XCLAIM', key, group, consumer, String(ackWaitMs), id)) as StreamEntry[];
      if (claimed[0]) this.process(claimed[0], count + 1);
    }
  }

  private process(entry: StreamEntry, deliveries: number): void {
    const id = entry[0];
    this.active++;
    this.held.hold(id);
    const work = this.handle(entry, deliveries)
      .then(async (outcome) => {
        if (outcome === true) await this.held.ack(id);
        else if (outcome === 'refused') await this.giveBack(id);
        else this.claimBackAfter(id, outcome);
      })
      .catch((error: unknown) => this.context.logger.warn(`Handling on ${this.options.key} failed: ${String(error)}`))
      .finally(() => {
        // Neither acked nor waiting to be claimed back: left pending, for a sweep to claim once stale.
        if (!this.claimBacks.has(id)) this.held.release(id);
        this.active--;
        this.freeSlot();
      });
    this.context.inFlight.track(work);
  }

  private async giveBack(id: string): Promise<void> {
    if (this.running) this.refused.add(id);
    await this.held.giveBack(id);
  }

  /** Claims the entry again after `delayMs` (which counts a delivery) and handles it here; kept alive meanwhile. */
  private claimBackAfter(id: string, delayMs: number): void {
    if (!this.running) return;
    const timer = setTimeout(() => {
      this.claimBacks.delete(id);
      const reclaim = this.held
        .reclaim(id)
        .then((again) => {
          if (again) this.process(again.entry, again.deliveries);
        })
        .catch((error: unknown) => {
          this.held.release(id);
          this.context.logger.warn(`Reclaim on ${this.options.key} failed: ${String(error)}`);
        });
      this.context.inFlight.track(reclaim);
    }, delayMs);
    this.claimBacks.set(id, timer);
  }

  /** Resolves when a handling finishes (or the reader stops). */
  private slotFree(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => (this.slotFreed = resolve));
  }

  private freeSlot(): void {
    const wake = this.slotFreed;
    this.slotFreed = undefined;
    wake?.();
  }
}
