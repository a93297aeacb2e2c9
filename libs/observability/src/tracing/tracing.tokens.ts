export const CATGA_TRACING_SERVICE = Symbol.for('catga.tracing-service');

/** Who is tracing: the service and instance every span names. */
export interface TracingService {
  serviceName: string;
  instanceId: string;
}
