import { CatgaSignals, type CircuitStateName } from '@catga/core/transport';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CatgaMetrics } from './catga.metrics.js';

const CIRCUIT_STATE_VALUES: Record<CircuitStateName, number> = { closed: 0, open: 1, 'half-open': 2, isolated: 3 };

/** Counts what the pipeline does not see: events published, sagas finishing, dead letters, circuits, connections. */
@Injectable()
export class MetricsSignals implements OnModuleInit, OnModuleDestroy {
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly signals: CatgaSignals,
    private readonly metrics: CatgaMetrics,
  ) {}

  onModuleInit(): void {
    this.stops.push(
      this.signals.on('published', ({ envelope }) => this.metrics.eventsPublished.inc({ type: envelope.type })),
      this.signals.on('sagaStatus', ({ sagaName, status }) => {
        if (status === 'Completed') this.metrics.sagasCompleted.inc({ saga: sagaName });
        else if (status === 'Compensated') this.metrics.sagasCompensated.inc({ saga: sagaName });
        else if (status === 'Failed') this.metrics.sagasFailed.inc({ saga: sagaName });
      }),
      this.signals.on('deadLettered', ({ type, group }) => this.metrics.deadLettered.inc({ type, group })),
      this.signals.on('outboxParked', ({ type, error }) => this.metrics.outboxParked.inc({ type, code: error.code })),
      this.signals.on('circuit', ({ type, state }) => this.metrics.circuitState.set({ type }, CIRCUIT_STATE_VALUES[state])),
      this.signals.on('connection', ({ transport, connected, reconnected }) => {
        this.metrics.transportConnected.set({ transport }, connected ? 1 : 0);
        if (reconnected) this.metrics.transportReconnects.inc({ transport });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
