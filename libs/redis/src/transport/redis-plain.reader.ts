import { sleep } from '@catga/core/transport';
import { READ_RETRY_PAUSE_MS, type ReaderContext, type StreamReader } from './redis-stream.reader.js';
import { duplicate, type RedisClient } from './redis-streams.connection.js';
import type { ReadReply, StreamEntry } from './redis-stream.entry.js';

/** A reader of every entry added to one stream after it starts, without a group: broadcast, dead letters. */
export class RedisPlainReader implements StreamReader {
  private running = false;
  private connection: RedisClient | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly context: ReaderContext,
    private readonly key: string,
    private readonly handle: (entry: StreamEntry) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const from = await this.lastId();
    this.running = true;
    this.connection = duplicate(this.context.client);
    this.loop = this.read(this.connection, from);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.connection?.disconnect();
  }

  private async read(connection: RedisClient, from: string): Promise<void> {
    let lastId = from;
    while (this.running) {
      try {
        const read = (await connection.xread('BLOCK', this.context.blockMs, 'STREAMS', this.key, lastId)) as ReadReply;
        for (const [, entries] of read ?? []) {
          for (const entry of entries) {
            lastId = entry[0];
            this.context.inFlight.track(this.handle(entry));
          }
        }
      } catch (error) {
        if (!this.running) break;
        this.context.logger.warn(`Reading ${this.key} failed: ${String(error)}`);
        await sleep(READ_RETRY_PAUSE_MS);
      }
    }
  }

  /** The stream's last id now, so only what comes after is read; `0` for a stream not there yet. */
  private async lastId(): Promise<string> {
    try {
      const info = (await this.context.client.xinfo('STREAM', this.key)) as unknown[];
      const i = info.indexOf('last-generated-id');
      return i >= 0 ? String(info[i + 1]) : '0';
    } catch {
      return '0';
    }
  }
}
