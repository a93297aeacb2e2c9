import { CATGA_SETTINGS, type CatgaSettings, SagaOrchestrator } from '@catga/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { CatgaMetrics } from './catga.metrics.js';
import { MetricsBehavior } from './metrics.behavior.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsSignals } from './metrics.signals.js';
import { CATGA_METRICS_REGISTRY } from './metrics.tokens.js';

export interface CatgaMetricsModuleOptions {
  /** Also collect prom-client's process metrics (CPU, memory, event loop). Default true. */
  processMetrics?: boolean;
  /** Serve `GET /metrics`. Default true. */
  controller?: boolean;
}

/**
 * Prometheus metrics for every handling (`catga_*`), labelled with the service and instance,
 * served at `GET /metrics`. Import it next to `CatgaModule`.
 */
@Module({})
export class CatgaMetricsModule {
  static forRoot(options: CatgaMetricsModuleOptions = {}): DynamicModule {
    return {
      module: CatgaMetricsModule,
      global: true,
      controllers: options.controller === false ? [] : [MetricsController],
      providers: [
        {
          provide: CATGA_METRICS_REGISTRY,
          useFactory: (settings: CatgaSettings) => {
            const registry = new Registry();
            registry.setDefaultLabels({ service: settings.serviceName, instance: settings.instanceId });
            if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
            return registry;
          },
          inject: [CATGA_SETTINGS],
        },
        {
          provide: CatgaMetrics,
          useFactory: (registry: Registry, sagas: SagaOrchestrator) => new CatgaMetrics(registry, () => sagas.activeCount),
          inject: [CATGA_METRICS_REGISTRY, SagaOrchestrator],
        },
        MetricsBehavior,
        MetricsSignals,
      ],
      exports: [CATGA_METRICS_REGISTRY, CatgaMetrics],
    };
  }
}
