import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaLifecycle } from '@catga/core';
import { createOrderApi } from '@catga/order-api';
import type { INestApplication } from '@nestjs/common';

const HEALTH_PATHS = ['/health', '/health/live', '/health/ready'];
const AUTH = { authorization: 'Bearer ops-token' };

async function probe(url: string, headers: Record<string, string> = {}): Promise<{ code: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers });
  return { code: response.status, body: (await response.json()) as Record<string, unknown> };
}

// Its own file: the token is read from the environment when the app is built.
describe('operator endpoints with CATGA_OPERATOR_TOKEN set', () => {
  let app: INestApplication;
  let base: string;
  // A second service, draining, so its readiness is down.
  let drainingApp: INestApplication;
  let drainingBase: string;

  const listening = async (): Promise<[INestApplication, string]> => {
    const started = await createOrderApi({ embedded: true });
    started.useLogger(false);
    await started.listen(0, '127.0.0.1');
    return [started, (await started.getUrl()).replace('[::1]', '127.0.0.1')];
  };

  before(async () => {
    process.env.CATGA_OPERATOR_TOKEN = 'ops-token';
    [app, base] = await listening();
    [drainingApp, drainingBase] = await listening();
    drainingApp.get(CatgaLifecycle).markDraining();
  });

  after(async () => {
    delete process.env.CATGA_OPERATOR_TOKEN;
    await app?.close();
    await drainingApp?.close();
  });

  it('the dashboard, the cluster view and the metrics answer 401 without the token or with another one', async () => {
    for (const path of ['/dashboard', '/api/cluster', '/metrics']) {
      assert.equal((await fetch(`${base}${path}`)).status, 401, path);
      assert.equal((await fetch(`${base}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, 401, path);
    }
  });

  it('they answer 401 without the token however their paths are spelled', async () => {
    for (const path of ['/DASHBOARD', '/Api/Cluster', '/METRICS', '/Metrics/'])
      assert.equal((await fetch(`${base}${path}`)).status, 401, path);
  });

  it('with the token they answer, and the API and the health probes never ask for it', async () => {
    for (const path of ['/dashboard', '/api/cluster', '/metrics'])
      assert.equal((await fetch(`${base}${path}`, { headers: AUTH })).status, 200, path);
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
    assert.equal((await fetch(`${base}/api/orders/does-not-exist`)).status, 404);
  });

  it('without the token the health probes of a ready service answer 200 with the status alone', async () => {
    for (const path of [...HEALTH_PATHS, '/HEALTH/Ready']) {
      assert.deepEqual(await probe(`${base}${path}`), { code: 200, body: { status: 'ok' } }, path);
      assert.deepEqual(await probe(`${base}${path}`, { authorization: 'Bearer wrong' }), { code: 200, body: { status: 'ok' } }, path);
    }
  });

  it('without the token the readiness of a draining service answers 503 with the status alone', async () => {
    assert.deepEqual(await probe(`${drainingBase}/health/ready`), { code: 503, body: { status: 'error' } });
    assert.deepEqual(await probe(`${drainingBase}/health`), { code: 503, body: { status: 'error' } });
    assert.deepEqual(await probe(`${drainingBase}/health/live`), { code: 200, body: { status: 'ok' } });
  });

  it('with the token the health probes answer the same status codes with their whole detail', async () => {
    for (const [url, path] of [base, drainingBase].flatMap((b) => HEALTH_PATHS.map((p) => [b, p] as const))) {
      const open = await probe(`${url}${path}`);
      const full = await probe(`${url}${path}`, AUTH);
      assert.equal(full.code, open.code, `${url}${path}`);
      assert.equal(full.body.status, open.body.status, `${url}${path}`);
      assert.ok(full.body.details, `${url}${path}: ${JSON.stringify(full.body)}`);
    }
    const ready = await probe(`${base}/health/ready`, AUTH);
    assert.deepEqual(Object.keys(ready.body.details as object).sort(), ['lifecycle', 'stores', 'transport']);
    const draining = await probe(`${drainingBase}/health/ready`, AUTH);
    assert.deepEqual((draining.body.error as Record<string, unknown>).lifecycle, { status: 'down', draining: true });
  });
});
