import { Counter, Histogram, Registry } from 'prom-client';

/** Catga's Prometheus metrics; label values are bounded (message types, kinds, outcomes, codes), never ids. */
export class CatgaMetrics {
  readonly requests: Counter<'type' | 'kind' | 'outcome'>;
  readonly failed: Counter<'type' | 'kind' | 'code'>;
  readonly duration: Histogram<'type' | 'kind' | 'outcome'>;
  readonly eventsHandled: Counter<'type'>;
  readonly retries: Counter<'type'>;
  readonly replays: Counter<'type'>;

  constructor(readonly registry: Registry) {
    this.requests = new Counter({
      name: 'catga_requests_total',
      help: 'Handlings by message type, kind and outcome (success, error, replay)',
      labelNames: ['type', 'kind', 'outcome'],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'catga_requests_failed_total',
      help: 'Failed handlings by message type, kind and error code',
      labelNames: ['type', 'kind', 'code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'catga_request_duration_seconds',
      help: 'Handling time by message type, kind and outcome',
      labelNames: ['type', 'kind', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.eventsHandled = new Counter({
      name: 'catga_events_handled_total',
      help: 'Events handled successfully, by type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'catga_retries_total',
      help: 'Retries made by the retry behavior, by message type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.replays = new Counter({
      name: 'catga_idempotent_replays_total',
      help: 'Repeats answered with a stored outcome instead of running the handler, by message type',
      labelNames: ['type'],
      registers: [registry],
    });
  }
}
