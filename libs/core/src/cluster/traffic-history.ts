import type { MessageKind } from '../messages/message-kind.js';
import type { TrafficWindow } from '../traffic/traffic-window.js';

/** A service's charts over the history, one value per bucket (`ClusterTraffic.times`); rates per second. */
export interface ServiceSeries {
  service: string;
  handled: number[];
  failed: number[];
  /** Count-weighted mean of its instances' p50; `null` where nothing was handled. */
  p50Ms: Array<number | null>;
  /** The highest of its instances' p99. */
  p99Ms: Array<number | null>;
  sagasStarted: number[];
  sagasCompleted: number[];
  sagasCompensated: number[];
  sagasFailed: number[];
  deadLettered: number[];
}

/** One message type in one service, one value per bucket; rates per second. */
export interface TypeSeries {
  service: string;
  type: string;
  kind: MessageKind;
  handled: number[];
  failed: number[];
  sent: number[];
  published: number[];
  p50Ms: Array<number | null>;
  p99Ms: Array<number | null>;
}

/** What the whole cluster did over the last minutes, as its instances announced it. */
export interface ClusterTraffic {
  /** The width of a bucket, ms (the heartbeat). */
  bucketMs: number;
  /** Each bucket's start, oldest first; the bucket still filling is left out. */
  times: number[];
  services: ServiceSeries[];
  types: TypeSeries[];
}

interface Point {
  handled: number;
  failed: number;
  sent: number;
  published: number;
  p50Sum: number;
  p50Weight: number;
  p99: number | undefined;
}

interface ServicePoint extends Point {
  sagasStarted: number;
  sagasCompleted: number;
  sagasCompensated: number;
  sagasFailed: number;
  deadLettered: number;
}

interface Bucket {
  at: number;
  types: Map<string, Point>;
  services: Map<string, ServicePoint>;
}

const point = (): ServicePoint => ({
  handled: 0,
  failed: 0,
  sent: 0,
  published: 0,
  p50Sum: 0,
  p50Weight: 0,
  p99: undefined,
  sagasStarted: 0,
  sagasCompleted: 0,
  sagasCompensated: 0,
  sagasFailed: 0,
  deadLettered: 0,
});

function add(p: Point, handled: number, failed: number, p50: number | undefined, p99: number | undefined): void {
  p.handled += handled;
  p.failed += failed;
  const n = handled + failed;
  if (n > 0 && p50 !== undefined) {
    p.p50Sum += p50 * n;
    p.p50Weight += n;
  }
  if (p99 !== undefined) p.p99 = Math.max(p.p99 ?? 0, p99);
}

/** The key of a (service, type) pair in `TrafficHistory.recentRates`. */
export const seriesKey = (service: string, type: string) => `${service}\u0000${type}`;

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The announced traffic of every instance, summed per service and per (service, message type)
 * into buckets one heartbeat wide, by when this instance heard it (its own clock, so peers'
 * clocks do not matter). Bounded: `historyMs` back, at most `maxSeries` pairs.
 */
export class TrafficHistory {
  private readonly buckets: Bucket[] = [];
  /** Each (service, type) pair held, with its kind and when it was last heard of. */
  private readonly series = new Map<string, { service: string; type: string; kind: MessageKind; lastAt: number }>();
  private dropped = 0;

  constructor(
    private readonly bucketMs: number,
    private readonly historyMs: number,
    private readonly maxSeries: number,
  ) {}

  /** Pairs not kept because `maxSeries` were held. */
  get droppedSeries(): number {
    return this.dropped;
  }

  add(service: string, window: TrafficWindow, now = Date.now()): void {
    const bucket = this.bucketAt(now);
    let s = bucket.services.get(service);
    if (!s) bucket.services.set(service, (s = point()));
    s.sagasStarted += window.sagas.started;
    s.sagasCompleted += window.sagas.completed;
    s.sagasCompensated += window.sagas.compensated;
    s.sagasFailed += window.sagas.failed;
    s.deadLettered += window.deadLettered;
    let handled = 0;
    let failed = 0;
    for (const t of window.types) {
      handled += t.handled ?? 0;
      failed += t.failed ?? 0;
      const key = seriesKey(service, t.type);
      const known = this.series.get(key);
      if (known) known.lastAt = now;
      else if (this.series.size < this.maxSeries) this.series.set(key, { service, type: t.type, kind: t.kind, lastAt: now });
      else {
        this.dropped++;
        continue;
      }
      if (!t.handled && !t.failed && !t.sent && !t.published) continue;
      let p = bucket.types.get(key);
      if (!p) bucket.types.set(key, (p = point()));
      add(p, t.handled ?? 0, t.failed ?? 0, t.p50Ms, t.p99Ms);
      p.sent += t.sent ?? 0;
      p.published += t.published ?? 0;
    }
    add(s, handled, failed, window.p50Ms, window.p99Ms);
  }

  /** The buckets that started after `since` (all when absent) and are complete, as charts. */
  snapshot(since = 0, now = Date.now()): ClusterTraffic {
    this.prune(now);
    const current = Math.floor(now / this.bucketMs) * this.bucketMs;
    const first = this.buckets[0]?.at;
    const times: number[] = [];
    if (first !== undefined) {
      const from = Math.max(first, since > 0 ? Math.floor(since / this.bucketMs) * this.bucketMs + this.bucketMs : first);
      for (let at = from; at < current; at += this.bucketMs) times.push(at);
    }
    const byAt = new Map(this.buckets.map((b) => [b.at, b]));
    const perSecond = 1000 / this.bucketMs;
    const rate = (n: number) => round(n * perSecond);
    const services = new Map<string, ServiceSeries>();
    const types = new Map<string, TypeSeries>();
    const zeros = () => times.map(() => 0);
    const nulls = () => times.map((): number | null => null);
    const serviceOf = (service: string): ServiceSeries => {
      let s = services.get(service);
      if (!s) {
        s = {
          service,
          handled: zeros(),
          failed: zeros(),
          p50Ms: nulls(),
          p99Ms: nulls(),
          sagasStarted: zeros(),
          sagasCompleted: zeros(),
          sagasCompensated: zeros(),
          sagasFailed: zeros(),
          deadLettered: zeros(),
        };
        services.set(service, s);
      }
      return s;
    };
    times.forEach((at, i) => {
      const bucket = byAt.get(at);
      if (!bucket) return;
      for (const [service, p] of bucket.services) {
        const s = serviceOf(service);
        s.handled[i] = rate(p.handled);
        s.failed[i] = rate(p.failed);
        s.p50Ms[i] = p.p50Weight > 0 ? round(p.p50Sum / p.p50Weight) : null;
        s.p99Ms[i] = p.p99 ?? null;
        s.sagasStarted[i] = rate(p.sagasStarted);
        s.sagasCompleted[i] = rate(p.sagasCompleted);
        s.sagasCompensated[i] = rate(p.sagasCompensated);
        s.sagasFailed[i] = rate(p.sagasFailed);
        s.deadLettered[i] = rate(p.deadLettered);
      }
      for (const [key, p] of bucket.types) {
        const known = this.series.get(key);
        if (!known) continue;
        let t = types.get(key);
        if (!t) {
          const { service, type, kind } = known;
          t = { service, type, kind, handled: zeros(), failed: zeros(), sent: zeros(), published: zeros(), p50Ms: nulls(), p99Ms: nulls() };
          types.set(key, t);
        }
        t.handled[i] = rate(p.handled);
        t.failed[i] = rate(p.failed);
        t.sent[i] = rate(p.sent);
        t.published[i] = rate(p.published);
        t.p50Ms[i] = p.p50Weight > 0 ? round(p.p50Sum / p.p50Weight) : null;
        t.p99Ms[i] = p.p99 ?? null;
      }
    });
    const byName = <T extends { service: string; type?: string }>(a: T, b: T) =>
      a.service.localeCompare(b.service) || (a.type ?? '').localeCompare(b.type ?? '');
    return { bucketMs: this.bucketMs, times, services: [...services.values()].sort(byName), types: [...types.values()].sort(byName) };
  }

  /**
   * Per (service, type), the mean rate per second over the last `windowMs` of complete buckets:
   * what the map draws on its edges.
   */
  recentRates(windowMs: number, now = Date.now()): Map<string, { handled: number; sent: number; published: number }> {
    const current = Math.floor(now / this.bucketMs) * this.bucketMs;
    const from = current - Math.max(this.bucketMs, windowMs);
    const out = new Map<string, { handled: number; sent: number; published: number }>();
    const seconds = (current - from) / 1000;
    for (const b of this.buckets) {
      if (b.at < from || b.at >= current) continue;
      for (const [key, p] of b.types) {
        let r = out.get(key);
        if (!r) out.set(key, (r = { handled: 0, sent: 0, published: 0 }));
        r.handled += p.handled;
        r.sent += p.sent;
        r.published += p.published;
      }
    }
    for (const r of out.values()) {
      r.handled = round(r.handled / seconds);
      r.sent = round(r.sent / seconds);
      r.published = round(r.published / seconds);
    }
    return out;
  }

  private bucketAt(now: number): Bucket {
    const at = Math.floor(now / this.bucketMs) * this.bucketMs;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.at === at) return last;
    if (last && last.at > at) return last; // the clock stepped back: keep adding to the newest
    const bucket: Bucket = { at, types: new Map(), services: new Map() };
    this.buckets.push(bucket);
    this.prune(now);
    return bucket;
  }

  private prune(now: number): void {
    const oldest = now - this.historyMs;
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.at < oldest) drop++;
    if (drop > 0) this.buckets.splice(0, drop);
    for (const [key, s] of this.series) if (s.lastAt < oldest) this.series.delete(key);
  }
}
