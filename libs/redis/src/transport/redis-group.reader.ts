import { sleep } from '@catga/core/transport';
import { READ_RETRY_PAUSE_MS, type ReaderContext, type StreamReader } from './redis-stream.reader.js';
import { duplicate, type RedisClient } from './redis-streams.connection.js';
import type { ReadReply, StreamEntry } from './redis-stream.entry.js';

/** What handling an entry decided: `true` to ack it, or a delay in ms after which this reader claims it again. */
export type GroupOutcome = true | number;

/** Handles one entry; `deliveries` is Redis's delivery count when known, 0 for an entry this reader claimed back itself. */
export type GroupHandler = (entry: StreamEntry, deliveries: number) => Promise<GroupOutcome>;

export interface GroupReaderOptions {
  readonly key: string;
  readonly group: string;
  readonly consumer: string;
  /** Entries in hand at once; at the limit the reader waits for one to finish. */
  readonly concurrency: number;
  /** Most entries taken by one read. */
  readonly batch: number;
  /** An entry pending this long with another consumer (it died) is claimed by this one. */
  readonly ackWaitMs: number;
}

/** Most stale entries claimed by one sweep. */
const STALE_BATCH = '64';
/** The longest between two sweeps for stale entries, however long `ackWaitMs` is. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

/** A consumer-group reader: reads new entries, acks or claims back each after handling, and takes over a dead reader's. */
export class RedisGroupReader implements StreamReader {
  private running = false;
  private connection: RedisClient | undefined;
  private loop: Promise<void> | undefined;
  private active = 0;
  private slotFreed: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly context: ReaderContext,
    private readonly options: GroupReaderOptions,
    private readonly handle: GroupHandler,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.connection = duplicate(this.context.client);
    this.loop = this.read(this.connection);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.freeSlot();
    await this.loop;
    this.connection?.disconnect();
  }

  private async read(connection: RedisClient): Promise<void> {
    const { key, group, consumer, concurrency, batch, ackWaitMs } = this.options;
    let lastSweep = 0;
    while (this.running) {
      try {
        if (Date.now() - lastSweep >= Math.min(ackWaitMs, MAX_SWEEP_INTERVAL_MS)) {
          lastSweep = Date.now();
          await this.claimStale();
        }
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

  /** Claims what other consumers left pending longer than `ackWaitMs`: they died holding it. */
  private async claimStale(): Promise<void> {
    const { key, group, consumer, ackWaitMs } = this.options;
    const client = this.context.client;
    const stale = (await client.call('XPENDING', key, group, 'IDLE', String(ackWaitMs), '-', '+', STALE_BATCH)) as Array<
      [string, string, number, number]
    >;
    for (const [id, , , count] of stale) {
      const claimed = (await client.call('XCLAIM', key, group, consumer, String(ackWaitMs), id)) as StreamEntry[];
      if (claimed[0]) this.process(claimed[0], count + 1);
    }
  }

  private process(entry: StreamEntry, deliveries: number): void {
    this.active++;
    const work = this.handle(entry, deliveries)
      .then(async (outcome) => {
        if (outcome === true) await this.context.client.xack(this.options.key, this.options.group, entry[0]);
        else this.claimBackAfter(entry[0], outcome);
      })
      .catch((error: unknown) => this.context.logger.warn(`Handling on ${this.options.key} failed: ${String(error)}`))
      .finally(() => {
        this.active--;
        this.freeSlot();
      });
    this.context.inFlight.track(work);
  }

  /** Claims the entry again after `delayMs` (which bumps its delivery count), then handles it here. */
  private claimBackAfter(id: string, delayMs: number): void {
    const { key, group, consumer } = this.options;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.running) return;
      this.context.client
        .call('XCLAIM', key, group, consumer, '0', id)
        .then((claimed) => {
          const again = (claimed as StreamEntry[])[0];
          if (again && this.running) this.process(again, 0);
        })
        .catch((error: unknown) => this.context.logger.warn(`Reclaim on ${key} failed: ${String(error)}`));
    }, delayMs);
    this.timers.add(timer);
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
