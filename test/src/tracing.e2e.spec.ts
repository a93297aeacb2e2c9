import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CatgaError,
  CatgaMediator,
  CatgaModule,
  ErrorCode,
  MessageType,
  SagaDefinition,
  SagaOrchestrator,
  SagaWorkflow,
} from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { CatgaTracingModule } from '@catga/observability';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
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
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
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
      imports: [
        CatgaModule.forRoot({ serviceName, transport: natsTransport({ servers: nats.url, subjectPrefix: prefix }) }),
        CatgaTracingModule.forRoot(),
      ],
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
    const named = (name: string) => {
      const span = spans.find((s) => s.name === name);
      assert.ok(span, `span ${name} among ${spans.map((s) => s.name).join(', ')}`);
      return span;
    };
    const send = named('send trace.pay');
    const pay = named('command trace.pay');
    const publish = named('publish trace.paid');
    const paid = named('event trace.paid');
    const rootId = root.spanContext();
    for (const span of [send, pay, publish, paid]) assert.equal(span.spanContext().traceId, rootId.traceId);
    assert.equal(send.parentSpanContext?.spanId, rootId.spanId, "the send is a child of the caller's span");
    assert.equal(pay.parentSpanContext?.spanId, send.spanContext().spanId, 'the command is handled under the send');
    assert.equal(publish.parentSpanContext?.spanId, pay.spanContext().spanId, 'the event is published under the handling that raised it');
    assert.equal(paid.parentSpanContext?.spanId, publish.spanContext().spanId, 'the event is handled under its publish');
    assert.equal(send.kind, SpanKind.CLIENT);
    assert.equal(publish.kind, SpanKind.PRODUCER);
    assert.equal(send.attributes['catga.service'], 'shop');
    assert.equal(pay.attributes['catga.service'], 'payments');
    assert.equal(publish.attributes['catga.service'], 'payments');
    assert.equal(paid.attributes['catga.service'], 'shop');
    assert.equal(send.attributes['catga.message.id'], pay.attributes['catga.message.id']);
    assert.equal(typeof pay.attributes['catga.message.id'], 'string');
  });

  it('retry attempts, idempotent replays, saga steps and compensations are spans of the same trace', async () => {
    const app = await bootEmbedded();
    const mediator = app.get(CatgaMediator);
    const tracer = trace.getTracer('test');

    const root = tracer.startSpan('flaky');
    await context.with(trace.setSpan(context.active(), root), async () => {
      assert.equal(await mediator.send(new Flaky(), { messageId: 'flaky-1' }), 'ok');
      assert.equal(await mediator.send(new Flaky(), { messageId: 'flaky-1' }), 'ok');
    });
    root.end();
    const rootTrace = root.spanContext().traceId;
    const flakySpans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === rootTrace);
    const handlings = flakySpans.filter((s) => s.name === 'command trace.flaky');
    assert.equal(handlings.length, 2);
    const [first, replay] = handlings as [(typeof handlings)[number], (typeof handlings)[number]];
    const retries = flakySpans.filter((s) => s.name.startsWith('retry trace.flaky'));
    assert.deepEqual(retries.map((s) => s.attributes['catga.retry.attempt']).sort(), [1, 2], 'two retries after the first failure');
    for (const r of retries) assert.equal(r.parentSpanContext?.spanId, first.spanContext().spanId);
    assert.equal(first.attributes['catga.retries'], 2);
    assert.equal(replay.attributes['catga.idempotent.replay'], true);
    assert.ok(replay.events.some((e) => e.name === 'catga.idempotent_replay'));

    const sagaRoot = tracer.startSpan('checkout');
    const state = await context.with(trace.setSpan(context.active(), sagaRoot), () =>
      app.get(SagaOrchestrator).start(TracedSaga, `saga-${uniqueSuffix()}`, { fail: true }),
    );
    sagaRoot.end();
    assert.equal(state.status, 'Compensated');
    const sagaSpans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === sagaRoot.spanContext().traceId);
    const byName = (name: string) => sagaSpans.filter((s) => s.name === name);
    const reserve = byName('saga.step trace.saga/reserve');
    const ship = byName('saga.step trace.saga/ship');
    const release = byName('saga.compensation trace.saga/reserve');
    assert.equal(reserve.length, 1);
    assert.equal(ship.length, 1);
    assert.equal(release.length, 1);
    assert.equal(ship[0]!.status.code, 2, 'the failed step is an error span');
    assert.equal(ship[0]!.attributes['catga.error.code'], 'SHIP_REFUSED');
    assert.equal(release[0]!.attributes['catga.saga.id'], state.sagaId);
    const reserveHandling = byName('command trace.reserve')[0]!;
    assert.equal(reserveHandling.parentSpanContext?.spanId, reserve[0]!.spanContext().spanId, "a step's command is handled under the step");
    const releaseHandling = byName('command trace.release')[0]!;
    assert.equal(releaseHandling.parentSpanContext?.spanId, release[0]!.spanContext().spanId);
    assert.equal(byName('send trace.reserve').length, 0, 'a send handled in this process has no span of its own');
  });

  async function bootEmbedded() {
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: 'embedded', pipeline: { retry: { initialDelayMs: 1, maxDelayMs: 2 } } }),
        CatgaTracingModule.forRoot(),
      ],
      providers: [FlakyHandler, ReserveHandler, ReleaseHandler, ShipHandler, TracedSaga],
    })
    class EmbeddedModule {}
    const app = await NestFactory.createApplicationContext(EmbeddedModule, { logger: ['error'] });
    await app.init();
    apps.push(app);
    return app;
  }
});

@MessageType('trace.flaky')
class Flaky extends Command<string> {}

@ErrorCode('TRACE_HICCUP', { retryable: true })
class Hiccup extends CatgaError {}

let flakyCalls = 0;
@CommandHandler(Flaky)
class FlakyHandler implements ICommandHandler<Flaky> {
  async execute(): Promise<string> {
    if (++flakyCalls < 3) throw new Hiccup('not yet');
    return 'ok';
  }
}

@MessageType('trace.reserve')
class Reserve extends Command<void> {}
@MessageType('trace.release')
class Release extends Command<void> {}
@MessageType('trace.ship')
class Ship extends Command<void> {}

@CommandHandler(Reserve)
class ReserveHandler implements ICommandHandler<Reserve> {
  async execute(): Promise<void> {}
}
@CommandHandler(Release)
class ReleaseHandler implements ICommandHandler<Release> {
  async execute(): Promise<void> {}
}
@ErrorCode('SHIP_REFUSED')
class ShipRefused extends CatgaError {}
@CommandHandler(Ship)
class ShipHandler implements ICommandHandler<Ship> {
  async execute(): Promise<void> {
    throw new ShipRefused('no courier');
  }
}

@SagaWorkflow('trace.saga')
class TracedSaga extends SagaDefinition<{ fail: boolean }> {
  readonly steps = [
    this.step('reserve', { send: () => new Reserve(), compensateWith: () => new Release() }),
    this.step('ship', { send: () => new Ship() }),
  ];
}
