import { Counter, Gauge, Registry } from 'prom-client';
import { HandlingStats } from './handling-stats.js';

/** Catga's Prometheus metrics; label values are bounded (message types, kinds, outcomes, codes), never ids. */
export class CatgaMetrics {
  /** `catga_requests_total` and `catga_request_duration_seconds`. */
  readonly handlings: HandlingStats;
  readonly failed: Counter<'type' | 'kind' | 'code'>;
  readonly eventsHandled: Counter<'type'>;
  readonly retries: Counter<'type'>;
  readonly replays: Counter<'type'>;
  readonly eventsPublished: Counter<'type'>;
  readonly sagasActive: Gauge;
  readonly sagasCompleted: Counter<'saga'>;
  readonly sagasCompensated: Counter<'saga'>;
  readonly sagasFailed: Counter<'saga'>;
  readonly deadLettered: Counter<'type' | 'group'>;
  readonly outboxParked: Counter<'type' | 'code'>;
  readonly circuitState: Gauge<'type'>;
  readonly transportConnected: Gauge<'transport'>;
  readonly transportReconnects: Counter<'transport'>;

  constructor(
    readonly registry: Registry,
    activeSagas: () => number = () => 0,
  ) {
    this.handlings = new HandlingStats(registry, [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    this.failed = new Counter({
      name: 'catga_requests_failed_total',
      help: 'Failed handlings by message type, kind and error code',
      labelNames: ['type', 'kind', 'code'],
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
    this.eventsPublished = new Counter({
      name: 'catga_events_published_total',
      help: 'Events accepted by the transport, by type',
      labelNames: ['type'],
      registers: [registry],
    });
    this.sagasActive = new Gauge({
      name: 'catga_sagas_active',
      help: 'Sagas this instance is driving',
      registers: [registry],
      collect() {
        this.set(activeSagas());
      },
    });
    const sagaCounter = (name: string, help: string) => new Counter({ name, help, labelNames: ['saga'], registers: [registry] });
    this.sagasCompleted = sagaCounter('catga_sagas_completed_total', 'Sagas that completed, by saga name');
    this.sagasCompensated = sagaCounter('catga_sagas_compensated_total', 'Sagas compensated after a failed step, by saga name');
    this.sagasFailed = sagaCounter('catga_sagas_failed_total', 'Sagas left Failed (a compensation kept failing), by saga name');
    this.deadLettered = new Counter({
      name: 'catga_dead_lettered_total',
      help: 'Events this instance moved to the dead letters after their last delivery failed, by type and handler group',
      labelNames: ['type', 'group'],
      registers: [registry],
    });
    this.outboxParked = new Counter({
      name: 'catga_outbox_parked_total',
      help: 'Events this instance parked in the outbox because the transport refused them for good (too large, malformed), by type and error code',
      labelNames: ['type', 'code'],
      registers: [registry],
    });
    this.circuitState = new Gauge({
      name: 'catga_circuit_state',
      help: 'Circuit of a message type: 0 closed, 1 open, 2 half-open, 3 isolated',
      labelNames: ['type'],
      registers: [registry],
    });
    this.transportConnected = new Gauge({
      name: 'catga_transport_connected',
      help: 'Whether the transport is connected to its broker (1) or not (0)',
      labelNames: ['transport'],
      registers: [registry],
    });
    this.transportReconnects = new Counter({
      name: 'catga_transport_reconnects_total',
      help: 'Times the transport connected again after losing its broker',
      labelNames: ['transport'],
      registers: [registry],
    });
  }
}
