import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { chromium, type Browser } from 'playwright-core';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

describe('the cluster dashboard served by order-api, in headless Chromium', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  let browser: Browser;
  const services: ServiceProcess[] = [];

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: `dash${uniqueSuffix()}` };
    const replicas: Array<[string, string]> = [
      ['order-service', 'order-service-1'],
      ['order-service', 'order-service-2'],
      ['payment-service', 'payment-service-1'],
      ['inventory-service', 'inventory-service-1'],
      ['notification-service', 'notification-service-1'],
      ['order-api', 'order-api-1'],
    ];
    for (const [app, id] of replicas) services.push(await startService(app, { ...env, CATGA_SERVICE_NAME: app }, id));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  it('shows every instance with its load, the sagas by status, and a killed replica going from ready to lost', async (t) => {
    const api = services.find((s) => s.name === 'order-api-1')!;
    const orders = 12;
    for (let i = 0; i < orders; i++) {
      const res = await http<{ status: string }>(api.url, 'POST', '/api/orders', {
        customerId: `c${i}`,
        items: [{ productId: 'dash', quantity: 1, price: 2 }],
      });
      assert.equal(res.status, 201);
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    await page.goto(`${api.url}/dashboard`);

    const row = (instance: string) => page.locator(`#instances tr[data-instance="${instance}"]`);
    for (const s of services) await row(s.name).waitFor({ timeout: 15_000 });
    await page.locator('#instances tr[data-status="ready"]').nth(5).waitFor({ timeout: 15_000 });
    const completed = Number(await page.locator('[data-saga-status="Completed"] b').textContent());
    assert.equal(completed, orders, 'the saga store counts every order Completed');
    // Each row shows what its instance said in its last heartbeat (every 2 s).
    await eventually(
      async () => {
        const handled = await Promise.all(
          ['order-service-1', 'order-service-2'].map(async (id) => Number(await row(id).locator('td').nth(3).textContent())),
        );
        assert.ok(handled.reduce((a, b) => a + b, 0) >= orders, `order-service replicas handled the orders: ${handled.join(', ')}`);
      },
      15_000,
      250,
    );

    const killedAt = Date.now();
    await services.find((s) => s.name === 'order-service-2')!.kill('SIGKILL');
    await page.locator('#instances tr[data-instance="order-service-2"][data-status="gone"]').waitFor({ timeout: 30_000 });
    const lostAfterMs = Date.now() - killedAt;
    t.diagnostic(`order-service-2 shown lost ${lostAfterMs} ms after its SIGKILL`);
    const kinds = await page
      .locator('#events li')
      .evaluateAll((items) => items.map((li) => `${li.getAttribute('data-kind')} ${li.textContent ?? ''}`));
    // Lost because the transport no longer reaches it, not after missed heartbeats (suspect after
    // 6 s, lost after 12 s): well before the first heartbeat-based verdict could be reached.
    assert.ok(
      kinds.some((k) => k.startsWith('lost') && k.includes('order-service-2') && k.includes('not reachable on the transport')),
      kinds.join('\n'),
    );
    assert.ok(lostAfterMs < 6_000, `shown lost ${lostAfterMs} ms after the kill`);
    assert.equal(await row('order-service-1').getAttribute('data-status'), 'ready');

    await mkdir(RESULTS, { recursive: true });
    const shot = `${RESULTS}dashboard.png`;
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
  });

  it('charts what every instance announced over the last minutes, at once on a fresh page, and maps the order flow', async (t) => {
    const api = services.find((s) => s.name === 'order-api-1')!;
    for (let i = 0; i < 6; i++) {
      const res = await http(api.url, 'POST', '/api/orders', { customerId: `m${i}`, items: [{ productId: 'map', quantity: 1, price: 3 }] });
      assert.equal(res.status, 201);
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${api.url}/dashboard`);
    const nonEmpty = async (id: string) => ((await page.locator(`#${id}`).getAttribute('data-non-empty')) ?? '').split(',');
    // The orders of the first test were handled half a minute ago: a page opened now shows them from the server's history.
    await eventually(
      async () => {
        const handled = await nonEmpty('chart-handled');
        // order-api handles nothing itself: it sends.
        for (const service of ['order-service', 'payment-service', 'inventory-service', 'notification-service'])
          assert.ok(handled.includes(service), `${service} in ${handled.join(',')}`);
        assert.ok((await nonEmpty('chart-latency')).includes('order-service p99'));
        const sagas = await nonEmpty('chart-sagas');
        assert.ok(sagas.includes('started') && sagas.includes('completed'), sagas.join(','));
        assert.ok(Number(await page.locator('#chart-handled').getAttribute('data-points')) >= 5, 'minutes of points, not one');
      },
      20_000,
      250,
    );
    assert.equal((await page.locator('#chart-handled canvas').count()) > 0, true, 'uPlot drew it');
    await page.locator('#types tr[data-service="payment-service"][data-type="payments.charge"]').waitFor();
    await page.locator('#types tr[data-service="order-api"][data-type="orders.place-order"]').waitFor();

    const edge = (from: string, to: string) => page.locator(`#map g.edge[data-from="${from}"][data-to="${to}"]`);
    for (const s of ['order-api', 'order-service', 'payment-service', 'inventory-service', 'notification-service'])
      await page.locator(`#map g.node[data-service="${s}"]`).waitFor();
    const flow: Array<[string, string, string]> = [
      ['order-api', 'order-service', 'orders.place-order'],
      ['order-service', 'payment-service', 'payments.charge'],
      ['order-service', 'inventory-service', 'inventory.reserve'],
      ['order-service', 'notification-service', 'orders.order-completed'],
    ];
    for (const [from, to, type] of flow) {
      await edge(from, to).waitFor();
      assert.ok(((await edge(from, to).getAttribute('data-types')) ?? '').split(' ').includes(type), `${from} -${type}-> ${to}`);
    }
    assert.equal(await page.locator('#map g.edge-event[data-to="notification-service"]').count(), 1, 'an event edge, drawn as one');
    // Read-only unless the service enables actions: no write button is shown.
    assert.equal(await page.locator('body.actions').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Redrive' }).count(), 0);

    assert.deepEqual(errors, [], 'the page ran without an error');

    await mkdir(RESULTS, { recursive: true });
    const shot = `${RESULTS}dashboard-traffic.png`;
    await page.locator('#traffic').screenshot({ path: shot });
    const map = `${RESULTS}dashboard-map.png`;
    await page.locator('#system-map').screenshot({ path: map });
    t.diagnostic(`screenshots: ${shot}, ${map}`);
  });
});
