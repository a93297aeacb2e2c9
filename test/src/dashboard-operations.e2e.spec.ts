import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { freePort, startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { http } from './http.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/ops-service.main.js', import.meta.url));
const TOKEN = 'on-call-token';

describe('the dashboard fixes what broke: dead letters redriven and a failed saga retried from the page, in headless Chromium', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  let browser: Browser;
  let service: ServiceProcess;
  let flags: string;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    flags = await mkdtemp(join(tmpdir(), 'catga-ops-'));
    const port = await freePort();
    service = await startNodeProcess(
      FIXTURE,
      {
        CATGA_NATS_URL: nats.url,
        CATGA_REDIS_URL: redis.url,
        CATGA_REDIS_PREFIX: `ops${uniqueSuffix()}`,
        CATGA_SERVICE_NAME: 'ops-fixture',
        CATGA_DASHBOARD_ACTIONS: 'true',
        CATGA_OPERATOR_TOKEN: TOKEN,
        OPS_FLAGS_DIR: flags,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      /listening on/,
      'ops-fixture-1',
      port,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // The page itself is an operator path: an operator's proxy would add the token to its load; the page's own calls carry what the person typed.
    await page.route('**/dashboard', (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${TOKEN}` } }),
    );
    await page.goto(`${service.url}/dashboard`);
    await page.locator('#token').fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('body.actions').waitFor({ state: 'attached', timeout: 20_000 });
    await mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await service?.kill('SIGTERM');
    await Promise.all([nats?.stop(), redis?.stop()]);
    if (flags) await rm(flags, { recursive: true, force: true });
  });

  const parcels = async () => (await http<Record<string, number>>(service.url, 'GET', '/fixture/parcels')).body;
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('a poison event is dead-lettered with its error, redriven from the page once its handler is fixed, and handled exactly once', async (t) => {
    assert.equal((await http(service.url, 'POST', '/fixture/parcels/7')).status, 201);
    const group = page.locator('#dead-letters tr.group[data-type="ops.parcel-arrived"][data-error-code="PARCEL_UNREADABLE"]');
    await group.waitFor({ timeout: 30_000 });
    assert.match((await group.textContent()) ?? '', /the barcode reader cannot read the label/);
    assert.deepEqual(await parcels(), {}, 'never handled while the handler fails');
    await group.getByRole('button', { name: /▸ ops.parcel-arrived/ }).click();
    await page.locator('#dead-letters tr[data-dead-letter-id]').first().getByRole('button').click();
    await page.locator('#dead-letter-detail:not([hidden])').waitFor();
    assert.match((await page.locator('#dead-letter-body').textContent()) ?? '', /"n": 7/);
    await page.locator('#dead-letter-view').screenshot({ path: `${RESULTS}dashboard-dead-letters.png` });

    await writeFile(join(flags, 'parcels'), 'fixed');
    const redrive = group.getByRole('button', { name: 'Redrive' });
    await redrive.click();
    await group.getByRole('button', { name: 'confirm redrive' }).click();
    await page.locator('#action-status.ok', { hasText: '1 redriven' }).waitFor({ timeout: 15_000 });
    await eventually(async () => assert.deepEqual(await parcels(), { 7: 1 }), 20_000, 200);
    await page.locator('#dead-letters tr.group[data-type="ops.parcel-arrived"]').waitFor({ state: 'detached', timeout: 15_000 });
    const left = await http<{ items: unknown[] }>(service.url, 'GET', '/api/ops/dead-letters?type=ops.parcel-arrived', undefined, auth);
    assert.deepEqual(left.body.items, [], 'the redriven dead letter is gone from the list');
    assert.deepEqual(await parcels(), { 7: 1 }, 'handled exactly once');
    assert.equal(await page.locator('#dead-letter-detail').isHidden(), true, 'the redriven entry is no longer shown');
    assert.deepEqual(errors, [], 'the page ran without an error');
    t.diagnostic(`redriven; counts ${JSON.stringify(await parcels())}`);
  });

  it('a saga whose compensation kept failing is shown Failed with its steps, and retried from the page ends Compensated', async (t) => {
    const started = await http<{ status: string }>(service.url, 'POST', '/fixture/shipments/ship-1');
    assert.equal(started.body.status, 'Failed');
    await page.locator('#saga-status').selectOption('Failed');
    const row = page.locator('#saga-list tr[data-saga-id="ship-1"][data-status="Failed"]');
    await row.waitFor({ timeout: 15_000 });
    await row.getByRole('button', { name: 'ship-1' }).click();
    const detail = page.locator('#saga-detail[data-saga-id="ship-1"]');
    await detail.waitFor();
    const step = (name: string) => page.locator(`#saga-steps tr[data-step="${name}"]`);
    assert.equal(await step('print-label').getAttribute('data-step-status'), 'CompensationFailed');
    assert.match((await step('print-label').textContent()) ?? '', /LABEL_PRINTER_JAMMED: cannot void the label of ship-1/);
    assert.match((await step('book-carrier').textContent()) ?? '', /CARRIER_REFUSED/);
    assert.match((await step('print-label').textContent()) ?? '', /label-ship-1/, 'the step result is shown');
    await page.locator('#saga-view').screenshot({ path: `${RESULTS}dashboard-saga-failed.png` });

    await writeFile(join(flags, 'labels'), 'fixed');
    await page.locator('#saga-retry').click();
    await page.getByRole('button', { name: 'confirm retry' }).click();
    await page.locator('#saga-detail[data-saga-id="ship-1"][data-status="Compensated"]').waitFor({ timeout: 20_000 });
    assert.equal(await step('print-label').getAttribute('data-step-status'), 'Compensated');
    const stored = await http<{ status: string }>(service.url, 'GET', '/api/ops/sagas/ship-1', undefined, auth);
    assert.equal(stored.body.status, 'Compensated');
    assert.deepEqual(errors, [], 'the page ran without an error');
    await page.locator('#saga-view').screenshot({ path: `${RESULTS}dashboard-saga-retried.png` });
    await page.screenshot({ path: `${RESULTS}dashboard-operations.png`, fullPage: true });
    t.diagnostic(`screenshots in ${RESULTS}`);
  });
});
