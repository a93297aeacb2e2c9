import type { MessageKind } from '../messages/message-kind.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import type { SagaTraffic, TrafficRole, TrafficWindow, TypeTraffic } from './traffic-window.js';

/** Upper bounds of the handling-time buckets, ms; the last slot is above the largest. */
const BOUNDS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];
/** The most message types one instance meters; a type beyond it is not counted (types come from code, so this is a guard). */
export const MAX_METERED_TYPES = 1_000;
/** The type names an announcement may carry (`announcement.parser.ts`). */
const TYPE_NAME = /^[\w.-]{1,256}$/;

/** Handlings of a type timed in full in each window; beyond it one in `TIMED_ONE_IN`. */
const TIMED_IN_FULL = 256;
/** A power of two: the check is a mask. */
const TIMED_ONE_IN = 8;

/** One message type's counts over the current window, and what this instance does with it since start. */
export class TypeMeter {
  handled = 0;
  failed = 0;
  sent = 0;
  published = 0;
  maxMs = 0;
  /** Handlings begun in the window, and how many of them were timed (the buckets hold those). */
  begun = 0;
  timed = 0;
  sends = false;
  publishes = false;
  /** Handlings per duration bucket (not cumulative). */
  readonly buckets = new Float64Array(BOUNDS_MS.length + 1);

  constructor(
    readonly type: string,
    readonly kind: MessageKind,
  ) {}

  /**
   * Whether to time the handling that begins: every one while the window is young, then one in
   * eight, so a busy type does not pay two clock reads per handling (about 80 ns each on a
   * virtual machine) for percentiles a sample gives as well.
   */
  begin(): boolean {
    const n = ++this.begun;
    return n <= TIMED_IN_FULL || (n & (TIMED_ONE_IN - 1)) === 0;
  }

  /** One finished handling, `ms` negative when it was not timed: a few additions and a walk over at most 17 bounds. */
  handling(ms: number, ok: boolean): void {
    if (ok) this.handled++;
    else this.failed++;
    if (ms < 0) return;
    this.timed++;
    if (ms > this.maxMs) this.maxMs = ms;
    let i = 0;
    while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]!) i++;
    this.buckets[i]!++;
  }
}

/**
 * What this instance did per message type since the last heartbeat: handled and failed with their
 * p50 and p99, sent and published, sagas started and finished, events dead-lettered. The cluster
 * takes a window with every announcement (`take`), so the others can chart the whole system.
 * Recording costs a map lookup and additions, in the style of the Prometheus handling stats;
 * the handling time is read for the first 256 handlings of a type in a window and one in eight
 * after.
 */
export class TrafficMeter {
  private readonly types = new Map<string, TypeMeter>();
  private sagas: SagaTraffic = { started: 0, completed: 0, compensated: 0, failed: 0 };
  private deadLettered = 0;
  private windowStart = Date.now();
  private stops: Array<() => void> = [];

  /** The meter of a type, made on first use; `undefined` once `MAX_METERED_TYPES` are metered. */
  meter(type: string, kind: MessageKind): TypeMeter | undefined {
    let m = this.types.get(type);
    // A name a peer would refuse (one published by hand, `publishAs`) would make it refuse the whole announcement.
    if (!m && this.types.size < MAX_METERED_TYPES && TYPE_NAME.test(type)) this.types.set(type, (m = new TypeMeter(type, kind)));
    return m;
  }

  sent(type: string, kind: MessageKind): void {
    const m = this.meter(type, kind);
    if (!m) return;
    m.sent++;
    m.sends = true;
  }

  /** Counts what the pipeline does not see: events accepted by the transport, saga outcomes, dead letters. */
  observe(signals: CatgaSignals): void {
    this.stops.push(
      signals.on('published', ({ envelope }) => {
        const m = this.meter(envelope.type, 'event');
        if (!m) return;
        m.published++;
        m.publishes = true;
      }),
      signals.on('sagaStatus', ({ status, previous }) => {
        if (status === 'Running' && previous === undefined) this.sagas.started++;
        else if (status === 'Completed') this.sagas.completed++;
        else if (status === 'Compensated') this.sagas.compensated++;
        else if (status === 'Failed') this.sagas.failed++;
      }),
      signals.on('deadLettered', () => this.deadLettered++),
    );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /**
   * The window since the last call, and a new one begun. `handles`: the types with a handler
   * here, listed even while idle so the others know who serves what.
   */
  take(handles: ReadonlyArray<{ type: string; kind: MessageKind }>, now = Date.now()): TrafficWindow {
    const handled = new Set<string>();
    for (const h of handles) {
      this.meter(h.type, h.kind);
      handled.add(h.type);
    }
    const total = new Float64Array(BOUNDS_MS.length + 1);
    let totalCount = 0;
    let totalMax = 0;
    const types: TypeTraffic[] = [];
    for (const m of this.types.values()) {
      const roles: TrafficRole[] = [];
      if (handled.has(m.type)) roles.push('handles');
      if (m.sends) roles.push('sends');
      if (m.publishes) roles.push('publishes');
      const count = m.timed;
      const entry: TypeTraffic = { type: m.type, kind: m.kind, roles };
      if (m.handled) entry.handled = m.handled;
      if (m.failed) entry.failed = m.failed;
      if (m.sent) entry.sent = m.sent;
      if (m.published) entry.published = m.published;
      if (count > 0) {
        entry.p50Ms = quantile(m.buckets, count, m.maxMs, 0.5);
        entry.p99Ms = quantile(m.buckets, count, m.maxMs, 0.99);
        for (let i = 0; i < total.length; i++) total[i]! += m.buckets[i]!;
        totalCount += count;
        totalMax = Math.max(totalMax, m.maxMs);
      }
      if (roles.length > 0 || m.handled + m.failed > 0 || m.sent > 0 || m.published > 0) types.push(entry);
      m.handled = m.failed = m.sent = m.published = m.maxMs = m.begun = m.timed = 0;
      m.buckets.fill(0);
    }
    const window: TrafficWindow = {
      ms: Math.max(0, now - this.windowStart),
      types,
      sagas: this.sagas,
      deadLettered: this.deadLettered,
      ...(totalCount > 0 ? { p50Ms: quantile(total, totalCount, totalMax, 0.5), p99Ms: quantile(total, totalCount, totalMax, 0.99) } : {}),
    };
    this.windowStart = now;
    this.sagas = { started: 0, completed: 0, compensated: 0, failed: 0 };
    this.deadLettered = 0;
    return window;
  }
}

/** The `q` quantile of bucketed durations, interpolated inside its bucket and never above the largest seen; ms, 3 decimals. */
function quantile(buckets: Float64Array, count: number, maxMs: number, q: number): number {
  const rank = q * count;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (n === 0 || seen + n < rank) {
      seen += n;
      continue;
    }
    const lower = i === 0 ? 0 : BOUNDS_MS[i - 1]!;
    const upper = Math.min(i < BOUNDS_MS.length ? BOUNDS_MS[i]! : maxMs, maxMs);
    const value = lower + (Math.max(0, upper - lower) * (rank - seen)) / n;
    return Math.round(Math.min(value, maxMs) * 1000) / 1000;
  }
  return Math.round(maxMs * 1000) / 1000;
}
