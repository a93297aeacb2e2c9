import type { ServiceReplica } from './service-replica.js';

const SERIES = /^catga_requests_total\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export interface HandledCount {
  readonly instance: string;
  readonly service: string;
  /** `catga_requests_total` summed over every type, kind and outcome, across restarts. */
  readonly handled: number;
  /** The same by message kind (command, query, event). */
  readonly byKind: Readonly<Record<string, number>>;
  /** How many times the process was started again during the measurement. */
  readonly restarts: number;
}

/** `catga_requests_total` of one Prometheus text page, summed by the `instance` label and by kind. */
export function sumRequestsByInstance(text: string): Map<string, Record<string, number>> {
  const sums = new Map<string, Record<string, number>>();
  for (const line of text.split('\n')) {
    const match = SERIES.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(LABEL)].map((m) => [m[1], m[2]]));
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    const instance = labels['instance'] ?? '';
    const kind = labels['kind'] ?? 'unknown';
    const byKind = sums.get(instance) ?? {};
    byKind[kind] = (byKind[kind] ?? 0) + value;
    sums.set(instance, byKind);
  }
  return sums;
}

/**
 * Counters restart at zero with their process, so each run's last scrape is kept and the runs are
 * added up. Scraping just before a planned kill loses only what a process handled after that.
 */
export class HandledCounter {
  /** instance → run number → counts by kind at the last scrape of that run. */
  private readonly lastByRun = new Map<string, Map<number, Record<string, number>>>();
  /** What the processes running at `begin()` had counted before: not part of this measurement. */
  private readonly baseline = new Map<string, { run: number; counts: Record<string, number> }>();
  private readonly startsAtBegin = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly replicas: readonly ServiceReplica[]) {}

  async scrape(replica: ServiceReplica): Promise<void> {
    if (!replica.isRunning) return;
    const run = replica.startCount;
    let text: string;
    try {
      const response = await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(3_000) });
      if (response.status !== 200) return;
      text = await response.text();
    } catch {
      return; // not up (yet, or any more): the next scrape will tell
    }
    const counts = sumRequestsByInstance(text).get(replica.instanceId);
    if (counts === undefined) return;
    const runs = this.lastByRun.get(replica.instanceId) ?? new Map<number, Record<string, number>>();
    runs.set(run, counts);
    this.lastByRun.set(replica.instanceId, runs);
  }

  /** Takes the starting point and scrapes every `intervalMs` until `stop()`. */
  async begin(intervalMs: number): Promise<void> {
    for (const replica of this.replicas) this.startsAtBegin.set(replica.instanceId, replica.startCount);
    await this.scrapeAll();
    for (const [instance, runs] of this.lastByRun) {
      for (const [run, counts] of runs) this.baseline.set(instance, { run, counts });
    }
    this.timer = setInterval(() => void this.scrapeAll(), intervalMs);
    this.timer.unref();
  }

  async scrapeAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.scrape(replica)));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  counts(): HandledCount[] {
    return this.replicas.map((replica) => {
      const byKind: Record<string, number> = {};
      const before = this.baseline.get(replica.instanceId);
      for (const [run, counts] of this.lastByRun.get(replica.instanceId) ?? []) {
        for (const [kind, value] of Object.entries(counts)) {
          const already = before?.run === run ? (before.counts[kind] ?? 0) : 0;
          byKind[kind] = (byKind[kind] ?? 0) + value - already;
        }
      }
      const handled = Object.values(byKind).reduce((sum, value) => sum + value, 0);
      const restarts = replica.startCount - (this.startsAtBegin.get(replica.instanceId) ?? replica.startCount);
      return { instance: replica.instanceId, service: replica.service, handled, byKind, restarts };
    });
  }
}
