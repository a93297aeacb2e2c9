export { CatgaMetricsModule, type CatgaMetricsModuleOptions } from './metrics/metrics.module.js';
export { CatgaMetrics } from './metrics/catga.metrics.js';
export { MetricsBehavior } from './metrics/metrics.behavior.js';
export { CATGA_METRICS_REGISTRY } from './metrics/metrics.tokens.js';
export { CatgaHealthModule } from './health/health.module.js';
export { CatgaHealthIndicators, type CatgaHealthOptions } from './health/catga.health.js';
export { CatgaTracingModule } from './tracing/tracing.module.js';
export { TracingBehavior } from './tracing/tracing.behavior.js';
