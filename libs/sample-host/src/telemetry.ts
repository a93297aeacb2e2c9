import { Logger } from '@nestjs/common';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP trace exporter when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the SDK reads the other `OTEL_*` variables itself);
 * returns nothing when it is not, and Catga then makes no spans.
 */
export async function startTelemetry(serviceName: string): Promise<Telemetry | undefined> {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  // Traces only: metrics are Prometheus at /metrics, logs are JSON lines on stdout.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [],
  });
  sdk.start();
  new Logger('Telemetry').log(`Exporting traces to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  return sdk;
}
