import { CatgaSignals } from '@catga/core';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CatgaMetrics } from './catga.metrics.js';

/** Counts what the pipeline does not see: events published, sagas finishing. */
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
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
