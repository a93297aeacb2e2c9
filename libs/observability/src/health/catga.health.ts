import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { CATGA_IDEMPOTENCY_STORE, CATGA_TRANSPORT, CatgaLifecycle, type IdempotencyStore, type Transport } from '@catga/core';
import { reportsHealth } from '@catga/core/transport';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

export interface CatgaHealthOptions {
  /** Liveness fails when the event loop's p99 delay over the last interval exceeds this, in ms. Default 1000. */
  maxEventLoopDelayMs?: number;
  /** Liveness fails when the heap in use exceeds this, in bytes. Default: no limit. */
  maxHeapBytes?: number;
}

export const CATGA_HEALTH_OPTIONS = Symbol.for('catga.health-options');

/** The indicators behind `/health/live` and `/health/ready`. */
@Injectable()
export class CatgaHealthIndicators implements OnModuleDestroy {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly lifecycle: CatgaLifecycle,
    @Inject(CATGA_TRANSPORT) private readonly transport: Transport,
    @Inject(CATGA_IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(CATGA_HEALTH_OPTIONS) private readonly options: CatgaHealthOptions,
  ) {
    this.loop.enable();
  }

  onModuleDestroy(): void {
    this.loop.disable();
  }

  /** The process alone: event-loop delay and heap. A broker outage must not restart pods. */
  process(): HealthIndicatorResult<'process'> {
    const session = this.health.check('process');
    const delayMs = Math.round(this.loop.percentile(99) / 1e6);
    this.loop.reset();
    const heapBytes = process.memoryUsage().heapUsed;
    const details = { eventLoopDelayP99Ms: delayMs, heapUsedBytes: heapBytes };
    if (delayMs > (this.options.maxEventLoopDelayMs ?? 1_000)) return session.down({ ...details, message: 'event loop blocked' });
    if (this.options.maxHeapBytes !== undefined && heapBytes > this.options.maxHeapBytes)
      return session.down({ ...details, message: 'heap over its limit' });
    return session.up(details);
  }

  /** Not ready while draining for shutdown, so traffic moves away first. */
  lifecycleState(): HealthIndicatorResult<'lifecycle'> {
    const session = this.health.check('lifecycle');
    return this.lifecycle.draining ? session.down({ draining: true }) : session.up({ draining: false });
  }

  async transportState(): Promise<HealthIndicatorResult<'transport'>> {
    const session = this.health.check('transport');
    if (!reportsHealth(this.transport)) return session.up({ name: this.transport.name });
    const report = await this.transport.health();
    return report.up
      ? session.up({ name: this.transport.name, ...report.details })
      : session.down({ name: this.transport.name, ...report.details });
  }

  async storeState(): Promise<HealthIndicatorResult<'stores'>> {
    const session = this.health.check('stores');
    if (!reportsHealth(this.store)) return session.up({ kind: 'in-memory' });
    const report = await this.store.health();
    return report.up ? session.up(report.details) : session.down(report.details);
  }
}
