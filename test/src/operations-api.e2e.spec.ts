import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType, type DeadLetterEntry, type RedriveResult } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { CatgaOperationsModule, resolveOperationsAccess } from '@catga/observability';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { http } from './http.js';

// The dashboard's API over a real NATS server: what it shows, what it refuses, and a redrive.

@MessageType('ops-api.refund-due')
class RefundDue {
  constructor(readonly order: string) {}
}

let refunds = 0;
let fixed = false;

@EventsHandler(RefundDue)
class RefundDueHandler implements IEventHandler<RefundDue> {
  async handle(): Promise<void> {
    if (!fixed) throw new Error('the refunds ledger is read-only');
    refunds++;
  }
}

const TOKEN = 'ops-api-token';

describe('the operations API (/api/ops)', () => {
  let nats: NatsServerHandle;
  const apps: INestApplication[] = [];
  let base: string;
  let readOnlyBase: string;

  async function serve(actions: boolean, handlers: boolean): Promise<INestApplication> {
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: handlers ? 'refunds' : 'watcher',
          transport: natsTransport({ servers: nats.url, subjectPrefix: prefix, consumer: { maxDeliveries: 2, redeliveryDelayMs: 10 } }),
          // The breaker would open on the failures this test makes on purpose, and answer CIRCUIT_OPEN.
          pipeline: { retry: false, circuitBreaker: false },
        }),
        CatgaOperationsModule.forRoot({ actions, token: actions ? TOKEN : undefined }),
      ],
      providers: handlers ? [RefundDueHandler] : [],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return app;
  }
  const prefix = `opsapi${uniqueSuffix()}`;

  before(async () => {
    nats = await startNatsServer();
    const app = await serve(true, true);
    base = await app.getUrl();
    readOnlyBase = await (await serve(false, false)).getUrl();
  });

  after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await nats?.stop();
  });

  it('says what it can do', async () => {
    assert.deepEqual((await http(base, 'GET', '/api/ops')).body, { actions: true, deadLetters: true });
    assert.deepEqual((await http(readOnlyBase, 'GET', '/api/ops')).body, { actions: false, deadLetters: true });
  });

  it('refuses actions when they are off, and without the token when they are on; bad input is a 400', async () => {
    const off = await http<{ code: string }>(
      readOnlyBase,
      'POST',
      '/api/ops/dead-letters/purge',
      { all: true },
      { authorization: `Bearer ${TOKEN}` },
    );
    assert.equal(off.status, 403);
    assert.equal(off.body.code, 'ACTIONS_DISABLED');
    assert.equal((await http(base, 'POST', '/api/ops/dead-letters/purge', { all: true })).status, 401);
    assert.equal(
      (await http(base, 'POST', '/api/ops/dead-letters/purge', { all: true }, { authorization: 'Bearer wrong-token!!' })).status,
      401,
    );
    assert.equal((await http(base, 'POST', '/api/ops/sagas/nope/retry', undefined, { authorization: `Bearer ${TOKEN}` })).status, 404);
    assert.equal((await http(base, 'GET', '/api/ops/sagas?status=Lost')).status, 400);
    assert.equal((await http(base, 'GET', '/api/ops/dead-letters?limit=-1')).status, 400);
    assert.equal((await http(base, 'GET', '/api/ops/dead-letters/12345678')).status, 404);
    assert.throws(() => resolveOperationsAccess({ actions: true }, {}), /CATGA_OPERATOR_TOKEN/);
  });

  it('lists a dead letter with its error, redrives it from another service once fixed, and it is handled once', async () => {
    await apps[0]!.get(CatgaMediator).publish(new RefundDue('o-1'), { messageId: `refund-${prefix}` });
    const listed = await eventually(async () => {
      const r = await http<{ items: DeadLetterEntry[] }>(readOnlyBase, 'GET', '/api/ops/dead-letters?type=ops-api.refund-due');
      assert.equal(r.body.items.length, 1);
      return r.body.items[0]!;
    }, 15_000);
    assert.equal(listed.group, 'refunds.RefundDueHandler');
    assert.match(listed.error.message, /read-only/);
    const detail = await http<{ body: unknown }>(base, 'GET', `/api/ops/dead-letters/${listed.id}`);
    assert.deepEqual(detail.body.body, { order: 'o-1' });

    const auth = { authorization: `Bearer ${TOKEN}` };
    const failed = await http<{ results: RedriveResult[] }>(base, 'POST', '/api/ops/dead-letters/redrive', { ids: [listed.id] }, auth);
    assert.equal(failed.body.results[0]!.outcome, 'failed');
    fixed = true;
    const redriven = await http<{ results: RedriveResult[] }>(base, 'POST', '/api/ops/dead-letters/redrive', { ids: [listed.id] }, auth);
    assert.equal(redriven.status, 200);
    assert.equal(redriven.body.results[0]!.outcome, 'redriven', JSON.stringify(redriven.body));
    assert.equal(refunds, 1);
    assert.deepEqual((await http<{ items: unknown[] }>(base, 'GET', '/api/ops/dead-letters?type=ops-api.refund-due')).body.items, []);
  });
});
