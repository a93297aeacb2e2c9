import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { OtlpCollector, type CollectedSpan } from './fixtures/otlp-collector.js';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

const SERVICES = ['order-service', 'payment-service', 'inventory-service', 'notification-service', 'order-api'] as const;
const OTLP_KIND_CLIENT = 3;

describe('one trace per order across the sample services, each its own OS process exporting OTLP', () => {
  let nats: NatsServerHandle;
  let collector: OtlpCollector;
  const services: ServiceProcess[] = [];

  before(async () => {
    [nats, collector] = await Promise.all([startNatsServer(), OtlpCollector.start()]);
    const env = {
      CATGA_NATS_URL: nats.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_TRACES_SAMPLER: 'always_on',
    };
    for (const name of SERVICES) services.push(await startService(name, { ...env, CATGA_SERVICE_NAME: name }));
  });

  after(async () => {
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
    await Promise.all([nats?.stop(), collector?.close()]);
  });

  it('POST /api/orders yields one trace through order, payment, inventory and notification services with correct parent links', async (t) => {
    const api = services.find((s) => s.name.startsWith('order-api'))!;
    const key = `trace-${uniqueSuffix()}`;
    const created = await http<{ orderId: string; status: string }>(
      api.url,
      'POST',
      '/api/orders',
      { customerId: 'c-trace', items: [{ productId: `p-${key}`, quantity: 1, price: 5 }] },
      { 'Idempotency-Key': key },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'Completed');

    let trace: CollectedSpan[] = [];
    await eventually(
      () => {
        const root = collector.spans.find(
          (s) => s.service === 'order-api' && s.kind === OTLP_KIND_CLIENT && s.attributes['catga.message.id'] === `place-order:${key}`,
        );
        assert.ok(root, 'order-api exported the send of PlaceOrder');
        trace = collector.spans.filter((s) => s.traceId === root.traceId);
        assert.ok(
          trace.some((s) => s.service === 'notification-service' && s.name.startsWith('event ')),
          'the notification handling arrived',
        );
      },
      20_000,
      100,
    );

    t.diagnostic(`${trace.length} spans: ${trace.map((s) => `${s.service}:${s.name}`).join(', ')}`);
    assert.deepEqual(new Set(trace.map((s) => s.service)), new Set(SERVICES), 'every service took part in the one trace');
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !s.parentSpanId);
    assert.equal(roots.length, 1, 'one root');
    assert.equal(roots[0]!.service, 'order-api');
    for (const span of trace)
      if (span.parentSpanId) assert.ok(ids.has(span.parentSpanId), `${span.service} ${span.name} has its parent in the trace`);

    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: CollectedSpan) => byId.get(s.parentSpanId ?? '');
    const charge = trace.find((s) => s.service === 'payment-service' && s.name.startsWith('command '));
    assert.ok(charge, 'payment-service handled a command in this trace');
    const chargeSend = parentOf(charge)!;
    assert.equal(chargeSend.service, 'order-service');
    assert.match(chargeSend.name, /^send /);
    assert.equal(parentOf(chargeSend)?.name, 'saga.step orders.fulfilment/charge-payment', 'the charge is sent under its saga step');
    const notified = trace.find((s) => s.service === 'notification-service')!;
    const published = parentOf(notified)!;
    assert.match(published.name, /^publish /, 'the event is handled under its publish');
    assert.equal(published.service, 'order-service');
    for (const span of trace) assert.equal(typeof span.attributes['catga.instance'], 'string');
  });
});
