import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@catga/core/conformance';
import { createOrderApi } from '@catga/order-api';
import type { NotificationRecord, Order, PaymentRecord, StockLevel } from '@catga/order-contracts';
import type { INestApplication } from '@nestjs/common';
import { http } from './http.js';

describe('embedded order system over HTTP', () => {
  let app: INestApplication;
  let base: string;
  const product = (label: string) => `p-${label}-${Math.random().toString(36).slice(2, 8)}`;
  const call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    http<T>(base, method, path, body, headers);

  before(async () => {
    app = await createOrderApi({ embedded: true });
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    await app.close();
  });

  it('a valid order is charged, reserved, confirmed and notified', async () => {
    const p = product('ok');
    const created = await call<{ orderId: string; status: string }>('POST', '/api/orders', {
      customerId: 'c-1',
      items: [{ productId: p, quantity: 3, price: 12.5 }],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'Completed');
    const { orderId } = created.body;

    const order = await call<Order>('GET', `/api/orders/${orderId}`);
    assert.equal(order.status, 200);
    assert.equal(order.body.status, 'Completed');
    assert.equal(order.body.total, 37.5);
    assert.deepEqual(
      order.body.steps.map((s) => [s.name, s.status]),
      [
        ['charge-payment', 'Completed'],
        ['reserve-inventory', 'Completed'],
        ['confirm-order', 'Completed'],
      ],
    );
    assert.deepEqual((await call<PaymentRecord>('GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 0 });
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body, { productId: p, available: 997, reserved: 3 });
    await eventually(async () => {
      const notes = await call<NotificationRecord[]>('GET', `/api/notifications?orderId=${orderId}`);
      assert.equal(notes.body.length, 1);
      assert.equal(notes.body[0]!.kind, 'order-completed');
    });
  });

  it('a payment above 10000 is declined: nothing reserved, order Compensated, no notification', async () => {
    const p = product('declined');
    const created = await call<{ orderId: string; status: string }>('POST', '/api/orders', {
      customerId: 'c-2',
      items: [{ productId: p, quantity: 2, price: 6000 }],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'Compensated');
    const { orderId } = created.body;
    const order = (await call<Order>('GET', `/api/orders/${orderId}`)).body;
    assert.equal(order.status, 'Compensated');
    assert.equal(order.steps[0]!.status, 'Failed');
    assert.equal(order.steps[0]!.error?.code, 'PAYMENT_DECLINED');
    assert.equal(order.steps[1]!.status, 'Pending');
    assert.equal(order.steps[2]!.status, 'Pending');
    assert.deepEqual((await call<PaymentRecord>('GET', `/api/payments/${orderId}`)).body, { orderId, charged: 0, refunded: 0 });
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body, { productId: p, available: 1000, reserved: 0 });
    // A completed order placed afterwards is notified; the declined one never is.
    const later = await call<{ orderId: string }>('POST', '/api/orders', {
      customerId: 'c-2',
      items: [{ productId: p, quantity: 1, price: 1 }],
    });
    await eventually(async () =>
      assert.equal((await call<NotificationRecord[]>('GET', `/api/notifications?orderId=${later.body.orderId}`)).body.length, 1),
    );
    assert.deepEqual((await call<NotificationRecord[]>('GET', `/api/notifications?orderId=${orderId}`)).body, []);
  });

  it('an order asking for more than is in stock is rejected by inventory and the payment refunded', async () => {
    const p = product('short');
    const created = await call<{ orderId: string; status: string }>('POST', '/api/orders', {
      customerId: 'c-3',
      items: [{ productId: p, quantity: 1001, price: 1 }],
    });
    assert.equal(created.body.status, 'Compensated');
    const { orderId } = created.body;
    const order = (await call<Order>('GET', `/api/orders/${orderId}`)).body;
    assert.deepEqual(
      order.steps.map((s) => [s.name, s.status, s.error?.code]),
      [
        ['charge-payment', 'Compensated', undefined],
        ['reserve-inventory', 'Failed', 'INSUFFICIENT_STOCK'],
        ['confirm-order', 'Pending', undefined],
      ],
    );
    assert.deepEqual((await call<PaymentRecord>('GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 1 });
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body, { productId: p, available: 1000, reserved: 0 });
  });

  it('stock runs out across orders: the order that no longer fits is compensated', async () => {
    const p = product('drain');
    const first = await call<{ status: string }>('POST', '/api/orders', {
      customerId: 'c',
      items: [{ productId: p, quantity: 600, price: 1 }],
    });
    const second = await call<{ status: string }>('POST', '/api/orders', {
      customerId: 'c',
      items: [{ productId: p, quantity: 600, price: 1 }],
    });
    assert.deepEqual([first.body.status, second.body.status], ['Completed', 'Compensated']);
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body, { productId: p, available: 400, reserved: 600 });
  });

  it('the same Idempotency-Key twice returns the same order and creates one', async () => {
    const p = product('idem');
    const body = { customerId: 'c-4', items: [{ productId: p, quantity: 5, price: 2 }] };
    const key = { 'Idempotency-Key': `key-${Math.random()}` };
    const a = await call<{ orderId: string; status: string }>('POST', '/api/orders', body, key);
    const b = await call<{ orderId: string; status: string }>('POST', '/api/orders', body, key);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.deepEqual(b.body, a.body);
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body.reserved, 5);
    assert.deepEqual((await call<PaymentRecord>('GET', `/api/payments/${a.body.orderId}`)).body.charged, 1);
  });

  it('concurrent requests with one Idempotency-Key create one order', async () => {
    const p = product('idem-race');
    const body = { customerId: 'c-5', items: [{ productId: p, quantity: 1, price: 2 }] };
    const key = { 'Idempotency-Key': `race-${Math.random()}` };
    const replies = await Promise.all(Array.from({ length: 8 }, () => call<{ orderId: string }>('POST', '/api/orders', body, key)));
    assert.equal(new Set(replies.map((r) => r.body.orderId)).size, 1);
    assert.equal((await call<StockLevel>('GET', `/api/inventory/${p}`)).body.reserved, 1);
  });

  it('different keys make different orders', async () => {
    const body = { customerId: 'c-6', items: [{ productId: product('k'), quantity: 1, price: 1 }] };
    const a = await call<{ orderId: string }>('POST', '/api/orders', body, { 'Idempotency-Key': `a-${Math.random()}` });
    const b = await call<{ orderId: string }>('POST', '/api/orders', body, { 'Idempotency-Key': `b-${Math.random()}` });
    assert.notEqual(a.body.orderId, b.body.orderId);
  });

  it('a malformed body gets 400 with the validation errors', async () => {
    const missing = await call<{ message: string[] }>('POST', '/api/orders', { customerId: 'c' });
    assert.equal(missing.status, 400);
    assert.ok(
      missing.body.message.some((m) => m.includes('items')),
      JSON.stringify(missing.body),
    );

    const bad = await call<{ message: string[] }>('POST', '/api/orders', {
      customerId: '',
      items: [{ productId: 'p', quantity: -1, price: 'x' }],
    });
    assert.equal(bad.status, 400);
    const text = bad.body.message.join('\n');
    assert.match(text, /customerId/);
    assert.match(text, /quantity/);
    assert.match(text, /price/);

    const notJson = await call('POST', '/api/orders', '{"customerId": ');
    assert.equal(notJson.status, 400);
  });

  it('an order out of bounds gets 400 and creates nothing: a price that overflows the total, too many lines, an oversized key', async () => {
    const line = { productId: product('bounds'), quantity: 1, price: 1 };
    const huge = await call('POST', '/api/orders', {
      customerId: 'c',
      items: [
        { ...line, price: 1e308 },
        { ...line, price: 1e308 },
      ],
    });
    assert.equal(huge.status, 400);
    const many = await call('POST', '/api/orders', { customerId: 'c', items: Array.from({ length: 101 }, () => line) });
    assert.equal(many.status, 400);
    const longKey = await call('POST', '/api/orders', { customerId: 'c', items: [line] }, { 'Idempotency-Key': 'k'.repeat(1_000) });
    assert.equal(longKey.status, 400);
    const stock = await call<StockLevel>('GET', `/api/inventory/${line.productId}`);
    assert.deepEqual(stock.body, { productId: line.productId, available: 1000, reserved: 0 });
  });

  it('unknown ids get 404 with the error code', async () => {
    const order = await call<{ code: string }>('GET', '/api/orders/does-not-exist');
    assert.equal(order.status, 404);
    assert.equal(order.body.code, 'ORDER_NOT_FOUND');
    const payment = await call<{ code: string }>('GET', '/api/payments/does-not-exist');
    assert.equal(payment.status, 404);
    assert.equal(payment.body.code, 'PAYMENT_NOT_FOUND');
  });

  it('serves Prometheus metrics with the handlings it did', async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /catga_requests_total\{[^}]*type="orders.place-order"[^}]*\} \d+/);
    assert.match(text, /service="order-api"/);
  });

  it('an untouched product shows the initial stock', async () => {
    const p = product('fresh');
    assert.deepEqual((await call<StockLevel>('GET', `/api/inventory/${p}`)).body, { productId: p, available: 1000, reserved: 0 });
  });
});
