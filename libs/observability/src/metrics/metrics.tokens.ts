export const CATGA_METRICS_REGISTRY = Symbol.for('catga.metrics-registry');
