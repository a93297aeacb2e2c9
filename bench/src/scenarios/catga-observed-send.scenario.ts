import { CatgaMediator, CatgaModule } from '@catga/core';
import { CatgaMetricsModule, CatgaTracingModule } from '@catga/observability';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { Module } from '@nestjs/common';
import { Add, AddHandler } from './add.command.js';
import { stampAddMessageType } from './add.message-type.js';
import { createBenchApp } from './bench-app.js';
import type { BenchTarget } from './bench-target.js';

/**
 * The minimal pipeline with tracing and metrics on: the OpenTelemetry SDK registered (spans
 * sampled at `sampleRatio`, recorded, no exporter) and the Prometheus metrics collected.
 */
export async function bootCatgaObservedSend(sampleRatio = 1): Promise<BenchTarget> {
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) });
  const tracing = new TracerProvider({ sampler });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracing);
  stampAddMessageType();
  @Module({
    imports: [
      CatgaModule.forRoot({ pipeline: 'minimal' }),
      CatgaTracingModule.forRoot(),
      CatgaMetricsModule.forRoot({ controller: false, processMetrics: false }),
    ],
    providers: [AddHandler],
  })
  class ObservedBenchModule {}
  const app = await createBenchApp(ObservedBenchModule);
  const mediator = app.get(CatgaMediator);
  return {
    op: (i) => mediator.send(new Add(i, 1)),
    close: async () => {
      await app.close();
      await tracing.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
