import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrderApi } from '@catga/order-api';
import type { INestApplication } from '@nestjs/common';

// Its own file: the token is read from the environment when the app is built.
describe('operator endpoints with CATGA_OPERATOR_TOKEN set', () => {
  let app: INestApplication;
  let base: string;

  before(async () => {
    process.env.CATGA_OPERATOR_TOKEN = 'ops-token';
    app = await createOrderApi({ embedded: true });
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    delete process.env.CATGA_OPERATOR_TOKEN;
    await app?.close();
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
    const auth = { authorization: 'Bearer ops-token' };
    for (const path of ['/dashboard', '/api/cluster', '/metrics'])
      assert.equal((await fetch(`${base}${path}`, { headers: auth })).status, 200, path);
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
    assert.equal((await fetch(`${base}/api/orders/does-not-exist`)).status, 404);
  });
});
