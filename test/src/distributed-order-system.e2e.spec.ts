import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import type { NotificationRecord, Order, PaymentRecord, StockLevel } from '@catga/order-contracts';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

describe('the order system distributed over NATS with its state in Redis, one OS process per replica', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  const services: ServiceProcess[] = [];
  let api: ServiceProcess;

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url };
    // Two replicas of payment and inventory: the ledger and stock must agree whichever answers.
    services.push(
      ...(await Promise.all([
        startService('order-service', { ...env, CATGA_SERVICE_NAME: 'order-service' }),
        startService('payment-service', { ...env, CATGA_SERVICE_NAME: 'payment-service' }),
        startService('payment-service', { ...env, CATGA_SERVICE_NAME: 'payment-service' }),
        startService('inventory-service', { ...env, CATGA_SERVICE_NAME: 'inventory-service' }),
        startService('inventory-service', { ...env, CATGA_SERVICE_NAME: 'inventory-service' }),
        startService('notification-service', { ...env, CATGA_SERVICE_NAME: 'notification-service' }),
      ])),
    );
    api = await startService('order-api', { ...env, CATGA_SERVICE_NAME: 'order-api' });
    services.push(api);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  it('an order placed on order-api is charged, reserved and notified by the other processes', async () => {
    const product = `p-${uniqueSuffix()}`;
    const created = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
      customerId: 'c-dist',
      items: [{ productId: product, quantity: 4, price: 10 }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body) + api.output());
    assert.equal(created.body.status, 'Completed');
    const { orderId } = created.body;
    const order = await http<Order>(api.url, 'GET', `/api/orders/${orderId}`);
    assert.deepEqual(
      order.body.steps.map((s) => s.status),
      ['Completed', 'Completed', 'Completed'],
    );
    assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 0 });
    assert.deepEqual((await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body, {
      productId: product,
      available: 996,
      reserved: 4,
    });
    await eventually(
      async () => {
        const notes = await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=${orderId}`);
        assert.equal(notes.body.length, 1);
      },
      15_000,
      100,
    );
  });

  it('a declined payment is compensated across processes, and errors keep their codes over HTTP', async () => {
    const created = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
      customerId: 'c-dist',
      items: [{ productId: 'big', quantity: 1, price: 20_000 }],
    });
    assert.equal(created.body.status, 'Compensated');
    const order = await http<Order>(api.url, 'GET', `/api/orders/${created.body.orderId}`);
    assert.equal(order.body.steps[0]!.error?.code, 'PAYMENT_DECLINED');
    const missing = await http<{ code: string }>(api.url, 'GET', '/api/orders/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ORDER_NOT_FOUND');
  });

  it('replicas share the state: many orders for one product add up whichever replica handled them', async () => {
    const product = `p-${uniqueSuffix()}`;
    const placed = await Promise.all(
      Array.from({ length: 20 }, () =>
        http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
          customerId: 'c',
          items: [{ productId: product, quantity: 3, price: 1 }],
        }),
      ),
    );
    assert.ok(
      placed.every((p) => p.body.status === 'Completed'),
      JSON.stringify(placed.map((p) => p.body)),
    );
    for (let i = 0; i < 4; i++) {
      assert.deepEqual((await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body, {
        productId: product,
        available: 940,
        reserved: 60,
      });
    }
    for (const p of placed.slice(0, 5)) {
      assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${p.body.orderId}`)).body, {
        orderId: p.body.orderId,
        charged: 1,
        refunded: 0,
      });
    }
  });

  it('the same Idempotency-Key twice across the wire creates one order', async () => {
    const product = `p-${uniqueSuffix()}`;
    const body = { customerId: 'c-dist', items: [{ productId: product, quantity: 2, price: 1 }] };
    const key = { 'Idempotency-Key': `dist-${uniqueSuffix()}` };
    const [a, b] = await Promise.all([
      http<{ orderId: string }>(api.url, 'POST', '/api/orders', body, key),
      http<{ orderId: string }>(api.url, 'POST', '/api/orders', body, key),
    ]);
    assert.equal(a.body.orderId, b.body.orderId);
    assert.equal((await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body.reserved, 2);
  });

  it('every service answers /health, /health/live and /health/ready', async () => {
    for (const s of services) {
      for (const path of ['/health', '/health/live', '/health/ready']) {
        const r = await fetch(`${s.url}${path}`);
        assert.equal(r.status, 200, `${s.name} ${path}`);
        assert.equal(((await r.json()) as { status: string }).status, 'ok');
      }
    }
  });

  it('every service drains and closes on SIGTERM', async () => {
    const exits = await Promise.all(services.splice(0).map(async (s) => ({ s, exit: await s.kill('SIGTERM') })));
    for (const { s, exit } of exits) {
      assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `${s.name}: ${JSON.stringify(exit)}`);
      assert.match(s.output(), /drained and closed/, s.name);
    }
  });
});
