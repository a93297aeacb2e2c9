import { percentile, sortedDurations } from '../percentile.js';
import type { SubscriberReport } from './subscriber-control.js';
import { wallClockMs } from './wall-clock.js';

/** What a subscriber process has handled so far, and how long each timed event took to get there. */
export class HandledTally {
  private handled = 0;
  private readonly latenciesMs: number[] = [];

  record(sentAt: number, timed: boolean): void {
    this.handled++;
    if (timed) this.latenciesMs.push(wallClockMs() - sentAt);
  }

  count(): SubscriberReport {
    return { handled: this.handled };
  }

  report(): SubscriberReport {
    const sorted = sortedDurations(this.latenciesMs);
    return { handled: this.handled, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  }
}
