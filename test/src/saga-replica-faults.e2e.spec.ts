import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uniqueSuffix } from '@catga/core/conformance';
import type { Order, PaymentRecord, StockLevel } from '@catga/order-contracts';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

const SAGAS = 1000;
const IN_FLIGHT = 50;

describe('order sagas across 3 order-service replicas, one SIGKILLed mid-run', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  const services: ServiceProcess[] = [];
  let api: ServiceProcess;
  let orderReplicas: ServiceProcess[];

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: `sf${uniqueSuffix()}` };
    orderReplicas = await Promise.all([0, 1, 2].map(() => startService('order-service', { ...env, CATGA_SERVICE_NAME: 'order-service' })));
    services.push(
      ...orderReplicas,
      ...(await Promise.all([
        startService('payment-service', { ...env, CATGA_SERVICE_NAME: 'payment-service' }),
        startService('inventory-service', { ...env, CATGA_SERVICE_NAME: 'inventory-service' }),
        startService('notification-service', { ...env, CATGA_SERVICE_NAME: 'notification-service' }),
      ])),
    );
    api = await startService('order-api', { ...env, CATGA_SERVICE_NAME: 'order-api' });
    services.push(api);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.kill('SIGKILL')));
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  it('every saga ends Completed or Compensated, charges and stock add up exactly', async () => {
    const products = Array.from({ length: 10 }, (_, i) => `sku-${uniqueSuffix()}-${i}`);
    type Plan = { kind: 'ok' | 'declined' | 'short'; product: string; quantity: number };
    const plans: Plan[] = Array.from({ length: SAGAS }, (_, n) => {
      const product = products[n % products.length]!;
      if (n % 10 === 3) return { kind: 'declined', product, quantity: 1 };
      if (n % 10 === 7) return { kind: 'short', product, quantity: 5_000 };
      return { kind: 'ok', product, quantity: 1 };
    });
    const results: Array<{ status: number; orderId?: string; state?: string; body: unknown }> = [];
    let next = 0;
    let done = 0;
    let killed: Promise<unknown> | undefined;
    let clientRetries = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < SAGAS) {
        const n = next++;
        const plan = plans[n]!;
        const body = {
          customerId: `c-${n}`,
          items: [{ productId: plan.product, quantity: plan.quantity, price: plan.kind === 'declined' ? 20_000 : 1 }],
        };
        let reply = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', body, {
          'Idempotency-Key': `order-${n}`,
        });
        // A saga held by the killed replica finishes only once its lease lapses; a client told to
        // come back (504 timeout, 503 circuit open) asks again with the same key, as HTTP allows.
        for (let retry = 0; retry < 20 && (reply.status === 504 || reply.status === 503); retry++) {
          clientRetries++;
          await new Promise((r) => setTimeout(r, 500));
          reply = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', body, {
            'Idempotency-Key': `order-${n}`,
          });
        }
        results[n] = { status: reply.status, orderId: reply.body?.orderId, state: reply.body?.status, body: reply.body };
        if (++done === Math.floor(SAGAS / 3)) killed = orderReplicas[0]!.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await killed;
    const seconds = (Date.now() - started) / 1000;

    const failed = results.map((r, n) => ({ n, ...r })).filter((r) => r.status !== 201);
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} requests failed`);
    const reserved = new Map<string, number>();
    const counts = { Completed: 0, Compensated: 0 };
    for (let n = 0; n < SAGAS; n++) {
      const { orderId } = results[n]!;
      const order = (await http<Order>(api.url, 'GET', `/api/orders/${orderId}`)).body;
      const payment = (await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body;
      const plan = plans[n]!;
      if (plan.kind === 'ok') {
        assert.equal(order.status, 'Completed', `order ${n}`);
        assert.deepEqual([payment.charged, payment.refunded], [1, 0], `order ${n} charged once, never refunded`);
        reserved.set(plan.product, (reserved.get(plan.product) ?? 0) + plan.quantity);
      } else {
        assert.equal(order.status, 'Compensated', `order ${n}`);
        const expected = plan.kind === 'declined' ? [0, 0] : [1, 1];
        assert.deepEqual([payment.charged, payment.refunded], expected, `order ${n} (${plan.kind})`);
      }
      counts[order.status as 'Completed' | 'Compensated']++;
    }
    for (const product of products) {
      const stock = (await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body;
      assert.equal(stock.reserved, reserved.get(product) ?? 0, product);
      assert.equal(stock.available + stock.reserved, 1000, product);
    }
    console.log(
      `sagas: ${SAGAS} in ${seconds.toFixed(1)} s with an order-service replica killed after ${Math.floor(SAGAS / 3)}; ${JSON.stringify(counts)}; client retries after a 503/504: ${clientRetries}`,
    );
  });
});

describe('the instance running a saga dies in the middle of it', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  const services: ServiceProcess[] = [];

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.kill('SIGKILL')));
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  it('another instance finishes it: the unknown step is retried under its id and applied once', async () => {
    const prefix = `mid${uniqueSuffix()}`;
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: prefix };
    const replicas = await Promise.all([0, 1].map(() => startService('order-service', { ...env, CATGA_SERVICE_NAME: 'order-service' })));
    const [payment, inventory] = await Promise.all([
      startService('payment-service', { ...env, CATGA_SERVICE_NAME: 'payment-service' }),
      startService('inventory-service', { ...env, CATGA_SERVICE_NAME: 'inventory-service' }),
    ]);
    services.push(...replicas, payment!, inventory!);
    const api = await startService('order-api', { ...env, CATGA_SERVICE_NAME: 'order-api' });
    services.push(api);
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    try {
      const product = `sku-${uniqueSuffix()}`;
      // Step 2 (reserve-inventory) cannot finish while inventory-service is frozen: the request it
      // sends waits in that process's socket, so the saga is sure to be caught between steps.
      inventory!.child.kill('SIGSTOP');
      const placing = http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
        customerId: 'c-mid',
        items: [{ productId: product, quantity: 2, price: 5 }],
      });
      // Freeze the driving replica once its saga has started step 2, so it cannot record the outcome.
      let owner: ServiceProcess | undefined;
      let sagaKey = '';
      const deadline = Date.now() + 20_000;
      while (!owner && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        const [, keys] = await client.scan('0', 'MATCH', `${prefix}:saga:{*}`, 'COUNT', 1000);
        for (const key of keys) {
          const [json, leaseOwner] = await client.hmget(key, 'state', 'owner');
          const steps = (JSON.parse(json ?? '{}') as { steps?: Array<{ status: string }> }).steps ?? [];
          if (steps[1]?.status === 'Running' || (steps[1]?.status === 'Completed' && steps[2]?.status === 'Pending')) {
            owner = replicas.find((r) => leaseOwner?.startsWith(`order-service:${r.name}@`));
            sagaKey = key;
            if (owner) owner.child.kill('SIGSTOP');
          }
        }
      }
      assert.ok(owner, 'caught the saga between steps');
      const killedAt = Date.now();
      await owner.kill('SIGKILL');
      // The step request the dead owner sent is handled now; the survivor's retry of it must not apply it again.
      inventory!.child.kill('SIGCONT');
      const created = await placing;
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // The caller's retry reaches the survivor, which waits for the lapsed lease and resumes.
      let recoveredMs = 0;
      for (;;) {
        const state = JSON.parse((await client.hget(sagaKey, 'state')) ?? '{}') as { status: string };
        if (state.status === 'Completed') {
          recoveredMs = Date.now() - killedAt;
          break;
        }
        assert.ok(Date.now() - killedAt < 60_000, `saga still ${state.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const { orderId } = created.body;
      assert.equal(created.body.status, 'Completed');
      assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 0 });
      assert.equal((await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body.reserved, 2);
      console.log(`saga resumed by another instance and completed ${recoveredMs} ms after its instance was killed`);
    } finally {
      inventory!.child.kill('SIGCONT');
      client.disconnect();
    }
  });
});
