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
  TransportUnavailableError,
} from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { CatgaMetricsModule } from '@catga/observability';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';

@ErrorCode('METRICS_REFUSED', { retryable: false })
class Refused extends CatgaError {}

@MessageType('metrics.work')
class Work extends Command<string> {
  constructor(readonly mode: 'ok' | 'refuse' | 'flaky') {
    super();
  }
}

@MessageType('metrics.worked')
class Worked {}

let flaky = 0;

@SagaWorkflow('metrics.saga')
class MeteredSaga extends SagaDefinition<{ fail: boolean }> {
  readonly steps = [
    this.step('one', { run: async () => 1, compensate: async () => undefined }),
    this.step('two', {
      run: async (d) => {
        if (d.fail) throw new Error('no');
      },
    }),
  ];
}

@CommandHandler(Work)
class WorkHandler implements ICommandHandler<Work> {
  async execute(c: Work): Promise<string> {
    if (c.mode === 'refuse') throw new Refused('no');
    if (c.mode === 'flaky' && flaky++ === 0) throw new TransportUnavailableError('blip');
    return 'done';
  }
}

@EventsHandler(Worked)
class WorkedHandler implements IEventHandler<Worked> {
  handle(): void {}
}

/** Prometheus text exposition, as `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(m, `not Prometheus text: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

function value(metrics: Map<string, number>, name: string, labels: Record<string, string>): number {
  for (const [key, v] of metrics) {
    if (!key.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, val]) => key.includes(`${k}="${val}"`))) return v;
  }
  return 0;
}

describe('GET /metrics', () => {
  let app: INestApplication;
  let base: string;

  before(async () => {
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: 'metered', instanceId: 'm-1', pipeline: { retry: { initialDelayMs: 1, maxDelayMs: 2 } } }),
        CatgaMetricsModule.forRoot(),
      ],
      providers: [WorkHandler, WorkedHandler],
    })
    class MeteredModule {}
    app = await NestFactory.create(MeteredModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => app?.close());

  it('parses as Prometheus text and counts exactly what was sent, failed, retried and replayed', async () => {
    const mediator = app.get(CatgaMediator);
    for (let i = 0; i < 3; i++) await mediator.send(new Work('ok'));
    await assert.rejects(mediator.send(new Work('refuse')), Refused);
    await mediator.send(new Work('flaky'));
    await mediator.send(new Work('ok'), { messageId: 'twice' });
    await mediator.send(new Work('ok'), { messageId: 'twice' });
    await mediator.publish(new Worked());
    const sagas = app.get(SagaOrchestrator);
    await sagas.start(MeteredSaga, 'ms-1', { fail: false });
    await sagas.start(MeteredSaga, 'ms-2', { fail: false });
    await sagas.start(MeteredSaga, 'ms-3', { fail: true });

    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    const metrics = parse(text);
    const work = { type: 'metrics.work', kind: 'command', service: 'metered', instance: 'm-1' };
    assert.equal(value(metrics, 'catga_requests_total', { ...work, outcome: 'success' }), 5);
    assert.equal(value(metrics, 'catga_requests_total', { ...work, outcome: 'error' }), 1);
    assert.equal(value(metrics, 'catga_requests_total', { ...work, outcome: 'replay' }), 1);
    assert.equal(value(metrics, 'catga_requests_failed_total', { ...work, code: 'METRICS_REFUSED' }), 1);
    assert.equal(value(metrics, 'catga_retries_total', { type: 'metrics.work' }), 1);
    assert.equal(value(metrics, 'catga_idempotent_replays_total', { type: 'metrics.work' }), 1);
    assert.equal(value(metrics, 'catga_request_duration_seconds_count', { ...work, outcome: 'success' }), 5);
    assert.ok(!/twice/.test(text), 'no message ids as label values');
    assert.equal(value(metrics, 'catga_events_published_total', { type: 'metrics.worked' }), 1);
    assert.equal(value(metrics, 'catga_sagas_completed_total', { saga: 'metrics.saga' }), 2);
    assert.equal(value(metrics, 'catga_sagas_compensated_total', { saga: 'metrics.saga' }), 1);
    assert.equal(value(metrics, 'catga_sagas_failed_total', { saga: 'metrics.saga' }), 0);
    assert.equal(value(metrics, 'catga_sagas_active', {}), 0);
    assert.ok(!/ms-1/.test(text), 'no saga ids as label values');
    await eventually(async () => {
      const again = parse(await (await fetch(`${base}/metrics`)).text());
      assert.equal(value(again, 'catga_events_handled_total', { type: 'metrics.worked' }), 1);
    });
  });
});

@MessageType('metrics.poison')
class Poison {}

/** An event over NATS's 1 MiB payload limit: the transport refuses it for good. */
@MessageType('metrics.oversized')
class Oversized {
  readonly blob = 'x'.repeat(1_100_000);
}

/** Publishes an Oversized inside its handling, so the event goes through the outbox. */
@MessageType('metrics.emit-oversized')
class EmitOversized extends Command<void> {}

@CommandHandler(EmitOversized)
class EmitOversizedHandler implements ICommandHandler<EmitOversized> {
  constructor(private readonly mediator: CatgaMediator) {}
  async execute(): Promise<void> {
    await this.mediator.publish(new Oversized());
  }
}

let poisonDeliveries = 0;
@EventsHandler(Poison)
class PoisonHandler implements IEventHandler<Poison> {
  handle(): void {
    poisonDeliveries++;
    throw new Error('cannot digest');
  }
}

@ErrorCode('METRICS_DOWNSTREAM', { retryable: true })
class DownstreamDown extends CatgaError {}

@MessageType('metrics.fragile')
class Fragile extends Command<void> {}

@CommandHandler(Fragile)
class FragileHandler implements ICommandHandler<Fragile> {
  async execute(): Promise<void> {
    throw new DownstreamDown('down');
  }
}

describe('GET /metrics over NATS: dead letters, circuits and the connection', () => {
  let nats: NatsServerHandle;
  let app: INestApplication;
  let base: string;
  const scrape = async () => parse(await (await fetch(`${base}/metrics`)).text());

  before(async () => {
    nats = await startNatsServer();
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'metered-nats',
          instanceId: 'mn-1',
          transport: natsTransport({
            servers: nats.url,
            subjectPrefix: `mx${uniqueSuffix()}`,
            reconnectTimeWaitMs: 100,
            consumer: { maxDeliveries: 3, redeliveryDelayMs: 10 },
          }),
          pipeline: { retry: false, circuitBreaker: { failureThreshold: 4, halfOpenAfterMs: 60_000 } },
        }),
        CatgaMetricsModule.forRoot({ processMetrics: false }),
      ],
      providers: [PoisonHandler, FragileHandler, EmitOversizedHandler],
    })
    class MeteredNatsModule {}
    app = await NestFactory.create(MeteredNatsModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    await app?.close();
    await nats?.stop();
  });

  it('counts each dead letter once, shows an open circuit, and the connection lost and regained', async () => {
    const nats_ = { transport: 'nats' };
    assert.equal(value(await scrape(), 'catga_transport_connected', nats_), 1);

    await app.get(CatgaMediator).publish(new Poison());
    await eventually(async () => assert.equal(value(await scrape(), 'catga_dead_lettered_total', { type: 'metrics.poison' }), 1), 15_000);
    assert.equal(poisonDeliveries, 3, 'dead-lettered after the third delivery');
    const group = [...(await scrape()).keys()].find((k) => k.startsWith('catga_dead_lettered_total{'));
    assert.match(group ?? '', /group="metered-nats\.PoisonHandler"/);

    const mediator = app.get(CatgaMediator);
    for (let i = 0; i < 4; i++) await assert.rejects(mediator.send(new Fragile()), DownstreamDown);
    await assert.rejects(mediator.send(new Fragile()), (e: unknown) => e instanceof CatgaError && e.code === 'CIRCUIT_OPEN');
    assert.equal(value(await scrape(), 'catga_circuit_state', { type: 'metrics.fragile' }), 1, 'open');

    await nats.kill('SIGKILL');
    await eventually(async () => assert.equal(value(await scrape(), 'catga_transport_connected', nats_), 0), 15_000);
    await nats.restart();
    await eventually(async () => {
      const m = await scrape();
      assert.equal(value(m, 'catga_transport_connected', nats_), 1);
      assert.equal(value(m, 'catga_transport_reconnects_total', nats_), 1);
    }, 20_000);
  });

  it('counts an event the transport refuses for good as parked in the outbox, with its type and code', async () => {
    await app.get(CatgaMediator).send(new EmitOversized());
    await eventually(
      async () =>
        assert.equal(value(await scrape(), 'catga_outbox_parked_total', { type: 'metrics.oversized', code: 'PAYLOAD_TOO_LARGE' }), 1),
      10_000,
    );
  });
});
