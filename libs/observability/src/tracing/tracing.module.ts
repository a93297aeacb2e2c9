import { CATGA_SETTINGS, type CatgaSettings } from '@catga/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { OperationSpans } from './operation-spans.js';
import { TracingBehavior } from './tracing.behavior.js';
import { CATGA_TRACING_SERVICE } from './tracing.tokens.js';

/**
 * OpenTelemetry for Catga through `@opentelemetry/api` only: the application chooses and starts
 * the SDK. Every message sent or published carries W3C `traceparent`/`tracestate`, and every
 * send, publish, handling, retry attempt, saga step and compensation is a span, so one request
 * is one trace across services.
 */
@Module({})
export class CatgaTracingModule {
  static forRoot(): DynamicModule {
    return {
      module: CatgaTracingModule,
      global: true,
      providers: [
        {
          provide: CATGA_TRACING_SERVICE,
          useFactory: (s: CatgaSettings) => ({ serviceName: s.serviceName, instanceId: s.instanceId }),
          inject: [CATGA_SETTINGS],
        },
        TracingBehavior,
        OperationSpans,
      ],
    };
  }
}
