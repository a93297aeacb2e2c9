import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { CatgaTracingModule } from '@catga/observability';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { propagation } from '@opentelemetry/api';
import { Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventBus, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';

@MessageType('trace.pay')
class Pay extends Command<string> {}

@MessageType('trace.paid')
class Paid {}

@CommandHandler(Pay)
class PayHandler implements ICommandHandler<Pay> {
  constructor(private readonly events: EventBus) {}
  async execute(): Promise<string> {
    this.events.publish(new Paid());
    return 'paid';
  }
}

let paidSeen = 0;
@EventsHandler(Paid)
class PaidHandler implements IEventHandler<Paid> {
  handle(): void {
    paidSeen++;
  }
}

describe('one trace across services', () => {
  const exporter = new InMemorySpanExporter();
  let nats: NatsServerHandle;
  const apps: INestApplicationContext[] = [];

  before(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    nats = await startNatsServer();
  });

  after(async () => {
    for (const app of apps) await app.close();
    await nats?.stop();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  async function boot(serviceName: string, providers: Provider[], prefix: string) {
    @Module({
      imports: [CatgaModule.forRoot({ serviceName, transport: natsTransport({ servers: nats.url, subjectPrefix: prefix }) }), CatgaTracingModule.forRoot()],
      providers,
    })
    class TracedModule {}
    const app = await NestFactory.createApplicationContext(TracedModule, { logger: ['error'] });
    await app.init();
    apps.push(app);
    return app;
  }

  it('a command and the event it raises share one trace with correct parent links', async () => {
    const prefix = `tr${uniqueSuffix()}`;
    await boot('payments', [PayHandler], prefix);
    const shop = await boot('shop', [PaidHandler], prefix);
    const tracer = trace.getTracer('test');
    const root = tracer.startSpan('POST /checkout');
    await context.with(trace.setSpan(context.active(), root), () => shop.get(CatgaMediator).send(new Pay()));
    root.end();
    await eventually(() => assert.equal(paidSeen, 1), 10_000);
    await eventually(() => assert.ok(exporter.getFinishedSpans().some((s) => s.name === 'event trace.paid')));
    const spans = exporter.getFinishedSpans();
    const pay = spans.find((s) => s.name === 'command trace.pay')!;
    const paid = spans.find((s) => s.name === 'event trace.paid')!;
    const rootId = root.spanContext();
    assert.equal(pay.spanContext().traceId, rootId.traceId);
    assert.equal(paid.spanContext().traceId, rootId.traceId);
    assert.equal(pay.parentSpanContext?.spanId, rootId.spanId, 'the command is handled under the caller\'s span');
    assert.equal(paid.parentSpanContext?.spanId, pay.spanContext().spanId, 'the event is handled under the command that raised it');
    assert.equal(pay.attributes['catga.service'], 'payments');
    assert.equal(paid.attributes['catga.service'], 'shop');
    assert.equal(typeof pay.attributes['catga.message.id'], 'string');
  });
});
