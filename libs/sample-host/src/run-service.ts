import 'reflect-metadata';
import { CatgaExceptionFilter, CatgaModule, type CatgaModuleOptions } from '@catga/core';
import { CatgaHealthModule, CatgaLoggingModule, CatgaMetricsModule, CatgaOperationsModule, CatgaTracingModule } from '@catga/observability';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Logger, Module, ValidationPipe, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { healthDetailAccess } from './health-detail.js';
import { boundedJsonBodies } from './json-body-limits.js';
import { operatorAccess } from './operator-access.js';
import { SampleStateModule } from './sample-state.module.js';
import { startTelemetry } from './telemetry.js';

export interface ServiceHostOptions {
  /** Default `CATGA_SERVICE_NAME`, else this. */
  serviceName: string;
  imports?: Array<Type | DynamicModule>;
  controllers?: Type[];
  catga?: Omit<CatgaModuleOptions, 'serviceName'>;
  /** Default `PORT`, else 3000. 0 picks a free port. */
  port?: number;
  host?: string;
}

/**
 * Builds the Nest HTTP application of a sample service (not listening yet). With
 * `OTEL_EXPORTER_OTLP_ENDPOINT` set it starts the OpenTelemetry SDK first and traces every
 * send, publish, handling and saga step.
 */
export async function createServiceApp(options: ServiceHostOptions): Promise<INestApplication> {
  const serviceName = process.env.CATGA_SERVICE_NAME ?? options.serviceName;
  const telemetry = await startTelemetry(serviceName);
  @Module({
    imports: [
      CatgaModule.forRoot({ serviceName, ...options.catga }),
      ...(telemetry ? [CatgaTracingModule.forRoot()] : []),
      CatgaLoggingModule.forRoot(),
      CatgaMetricsModule.forRoot(),
      CatgaHealthModule.forRoot(),
      CatgaOperationsModule.forRoot(),
      SampleStateModule,
      ...(options.imports ?? []),
    ],
    controllers: options.controllers ?? [],
    // Exports the spans still buffered when the application shuts down.
    providers: telemetry
      ? [{ provide: 'catga.telemetry', useValue: { onApplicationShutdown: () => telemetry.shutdown().catch(() => undefined) } }]
      : [],
  })
  class ServiceHostModule {}

  // Our own JSON parser instead of Nest's: it checks a body's shape before parsing it.
  const app = await NestFactory.create(ServiceHostModule, { bufferLogs: true, bodyParser: false });
  app.use(boundedJsonBodies());
  const guard = operatorAccess(process.env.CATGA_OPERATOR_TOKEN);
  if (guard) app.use(guard);
  const healthDetail = healthDetailAccess(process.env.CATGA_OPERATOR_TOKEN);
  if (healthDetail) app.use(healthDetail);
  // JSON lines with service, instance and, inside a handling, the message's ids (CatgaLoggingModule).
  app.useLogger(app.get(PinoLogger));
  // The first failing rule of each property: a long invalid list costs one check per property, not one per element.
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true }));
  app.useGlobalFilters(new CatgaExceptionFilter(app.get(HttpAdapterHost)));
  app.enableShutdownHooks();
  return app;
}

/** Starts a sample service and returns it listening. */
export async function runService(options: ServiceHostOptions): Promise<INestApplication> {
  const app = await createServiceApp(options);
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  await app.listen(port, options.host ?? process.env.HOST ?? '0.0.0.0');
  new Logger(options.serviceName).log(`listening on ${await app.getUrl()}`);
  return app;
}
