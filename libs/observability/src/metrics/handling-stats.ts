import type { Metric, MetricValueWithName, Registry } from 'prom-client';

export type HandlingOutcome = 'success' | 'error' | 'replay';

interface Series {
  readonly labels: { type: string; kind: string; outcome: HandlingOutcome };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  readonly buckets: Float64Array;
}

/**
 * `catga_requests_total` and `catga_request_duration_seconds` from one aggregate kept in plain
 * numbers: recording a handling is a map lookup and a few additions, and the Prometheus series
 * are built when the registry is scraped. (prom-client's own counter and histogram hash and
 * validate the labels on every call: about 2 µs per handling here, more than Catga's whole
 * minimal pipeline.)
 */
const KINDS = ['command', 'query', 'event'] as const;
const OUTCOMES: readonly HandlingOutcome[] = ['success', 'error', 'replay'];

export class HandlingStats {
  /** Per message type, one slot per kind and outcome (kind * 3 + outcome); made on first use. */
  private readonly byType = new Map<string, Array<Series | undefined>>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
    names = { requests: 'catga_requests_total', duration: 'catga_request_duration_seconds' },
  ) {
    register(registry, {
      name: names.requests,
      help: 'Handlings by message type, kind and outcome (success, error, replay)',
      type: 'counter',
      values: () => this.all().map((s) => ({ metricName: names.requests, labels: { ...s.labels }, value: s.count })),
      reset: () => this.byType.clear(),
    });
    register(registry, {
      name: names.duration,
      help: 'Handling time by message type, kind and outcome',
      type: 'histogram',
      values: () => this.all().flatMap((s) => this.histogramValues(names.duration, s)),
      reset: () => this.byType.clear(),
    });
  }

  record(type: string, kind: string, outcome: HandlingOutcome, seconds: number): void {
    let slots = this.byType.get(type);
    if (!slots) this.byType.set(type, (slots = new Array<Series | undefined>(KINDS.length * OUTCOMES.length)));
    const at = (kind === 'command' ? 0 : kind === 'query' ? 3 : 6) + (outcome === 'success' ? 0 : outcome === 'error' ? 1 : 2);
    let s = slots[at];
    if (!s) slots[at] = s = { labels: { type, kind, outcome }, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length + 1) };
    s.count++;
    s.sum += seconds;
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    s.buckets[i]!++;
  }

  private all(): Series[] {
    return [...this.byType.values()].flatMap((slots) => slots.filter((s): s is Series => s !== undefined));
  }

  private histogramValues(name: string, s: Series): MetricValueWithName<string>[] {
    const out: MetricValueWithName<string>[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += s.buckets[i]!;
      out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
    });
    out.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
    out.push({ metricName: `${name}_sum`, labels: { ...s.labels }, value: s.sum });
    out.push({ metricName: `${name}_count`, labels: { ...s.labels }, value: s.count });
    return out;
  }
}

interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: () => MetricValueWithName<string>[];
  reset: () => void;
}

/** Registers a metric whose series are computed at scrape time (the registry reads `get()`). */
function register(registry: Registry, m: Collected): void {
  const metric = {
    name: m.name,
    help: m.help,
    type: m.type,
    aggregator: 'sum',
    get: async () => ({ name: m.name, help: m.help, type: m.type, values: m.values(), aggregator: 'sum' }),
    reset: m.reset,
  };
  // The registry only needs name, get() and reset(); prom-client types it as its Metric class.
  registry.registerMetric(metric as unknown as Metric);
}
