import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A stand-in for a bounded I/O resource such as a database pool: `SAMPLE_IO_SLOTS` operations
 * at a time (default 4), each holding its slot `SAMPLE_IO_WAIT_MS`. Off (no wait) unless
 * `SAMPLE_IO_WAIT_MS` is set; the scaling benchmark sets it so replicas, not cores, are the limit.
 */
@Injectable()
export class SimulatedIo {
  private readonly waitMs = Number(process.env.SAMPLE_IO_WAIT_MS ?? 0);
  private free = Math.max(1, Number(process.env.SAMPLE_IO_SLOTS ?? 4));
  private readonly waiting: Array<() => void> = [];

  async use(): Promise<void> {
    if (this.waitMs <= 0) return;
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await sleep(this.waitMs);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
