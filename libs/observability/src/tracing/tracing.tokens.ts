export const CATGA_TRACING_SERVICE = Symbol.for('catga.tracing-service');
