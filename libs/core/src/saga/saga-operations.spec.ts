import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { currentMessageContext } from '../context/message-context.js';
import { CatgaError } from '../errors/catga.error.js';
import { ErrorCode } from '../errors/error-code.decorator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { SagaDefinition, SagaWorkflow } from './saga-definition.js';
import { SagaNotFoundError, SagaStateConflictError } from './saga-errors.js';
import { SagaOrchestrator } from './saga.orchestrator.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import { CATGA_SAGA_STORE } from '../tokens/catga.tokens.js';

// Operations on sagas a person runs (the command line and the dashboard call them): retry a
// Failed saga once its compensation can succeed, abort one that is stuck.

@ErrorCode('SPEC_OPS_WAREHOUSE_DOWN', { retryable: false })
class WarehouseRefused extends CatgaError {}

@MessageType('saga-ops.unreserve')
class Unreserve extends Command<void> {
  constructor(readonly orderId: string) {
    super();
  }
}

const unreserveIds: string[] = [];
let refuseUnreserve = false;
const trace: string[] = [];
let gate: { open: () => void; opened: Promise<void> } | undefined;

@CommandHandler(Unreserve)
class UnreserveHandler implements ICommandHandler<Unreserve> {
  async execute(c: Unreserve): Promise<void> {
    unreserveIds.push(currentMessageContext()!.envelope.id);
    // Not retryable: the handler's idempotency records this outcome under the message id.
    if (refuseUnreserve) throw new WarehouseRefused('the warehouse refuses');
    trace.push(`unreserve ${c.orderId}`);
  }
}

interface Data {
  orderId: string;
  fail?: boolean;
  wait?: boolean;
}

@SagaWorkflow('saga-ops.order')
class OpsSaga extends SagaDefinition<Data> {
  readonly steps = [
    this.step('reserve', {
      run: async (d) => void trace.push(`reserve ${d.orderId}`),
      compensateWith: (d) => new Unreserve(d.orderId),
    }),
    this.step('pay', {
      run: async (d) => {
        trace.push(`pay ${d.orderId}`);
        if (d.wait) await gate!.opened;
        if (d.fail) throw new WarehouseRefused('card declined');
      },
      compensate: async (d) => void trace.push(`refund ${d.orderId}`),
      timeoutMs: 30_000,
    }),
    this.step('ship', { run: async (d) => void trace.push(`ship ${d.orderId}`) }),
  ];
}

async function boot() {
  @Module({
    imports: [
      CatgaModule.forRoot({
        pipeline: { retry: false },
        saga: { compensationAttempts: 2, compensationBackoffMs: 1, recoveryIntervalMs: 0 },
      }),
    ],
    providers: [UnreserveHandler],
  })
  class OpsModule {}
  const app = await NestFactory.createApplicationContext(OpsModule, { logger: false });
  await app.init();
  trace.length = 0;
  unreserveIds.length = 0;
  refuseUnreserve = false;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  gate = { open, opened };
  return { app, sagas: app.get(SagaOrchestrator) };
}

describe('saga operations', () => {
  it('retry: a Failed saga whose compensation now succeeds ends Compensated, compensating under a new message id', async () => {
    const { app, sagas } = await boot();
    try {
      refuseUnreserve = true;
      const failed = await sagas.start(OpsSaga, 'r-1', { orderId: 'r-1', fail: true });
      assert.equal(failed.status, 'Failed');
      assert.equal(failed.steps[0]!.status, 'CompensationFailed');
      assert.deepEqual(new Set(unreserveIds), new Set(['r-1:reserve:compensate']));

      // The cause is fixed. The same id would only replay the recorded refusal.
      refuseUnreserve = false;
      const retried = await sagas.retry('r-1');
      assert.equal(retried.status, 'Compensated');
      assert.equal(retried.steps[0]!.status, 'Compensated');
      assert.equal(retried.steps[0]!.compensationRound, 1);
      assert.equal(unreserveIds.at(-1), 'r-1:reserve:compensate:1');
      assert.deepEqual(
        trace.filter((t) => t.startsWith('unreserve')),
        ['unreserve r-1'],
      );
      assert.equal((await sagas.status('r-1'))!.status, 'Compensated');
      await assert.rejects(sagas.retry('r-1'), SagaStateConflictError, 'a Compensated saga is not retried');
    } finally {
      await app.close();
    }
  });

  it('abort: a saga stuck in a step is compensated, the step in progress too, and its caller gets the outcome', async () => {
    const { app, sagas } = await boot();
    try {
      const running = sagas.start(OpsSaga, 'a-1', { orderId: 'a-1', wait: true });
      const deadline = Date.now() + 5_000;
      while ((await sagas.status('a-1'))?.steps[1]?.status !== 'Running') {
        assert.ok(Date.now() < deadline, 'the saga reached its second step');
        await new Promise((r) => setTimeout(r, 5));
      }
      const aborted = await sagas.abort('a-1');
      assert.equal(aborted.status, 'Compensated');
      assert.deepEqual(
        aborted.steps.map((s) => s.status),
        ['Compensated', 'Compensated', 'Pending'],
      );
      assert.ok(trace.includes('refund a-1') && trace.includes('unreserve a-1'), trace.join(', '));
      assert.equal(aborted.error?.code, 'SAGA_STATE_CONFLICT');
      // The stuck step ends at last; its drive finds the saga moved on and reports the outcome.
      gate!.open();
      const seen = await running;
      assert.equal(seen.status, 'Compensated');
      assert.ok(!trace.includes('ship a-1'), 'nothing after the abort ran');
      await assert.rejects(sagas.abort('a-1'), SagaStateConflictError, 'an ended saga is not aborted');
    } finally {
      gate?.open();
      await app.close();
    }
  });

  it('an unknown saga id is SAGA_NOT_FOUND, for both', async () => {
    const { app, sagas } = await boot();
    try {
      await assert.rejects(sagas.retry('nope'), SagaNotFoundError);
      await assert.rejects(sagas.abort('nope'), SagaNotFoundError);
    } finally {
      await app.close();
    }
  });

  it('on an instance that does not define the saga, both write the new state with the lease free, for its own service to resume', async () => {
    const { app, sagas } = await boot();
    try {
      const store = app.get<SagaStore>(CATGA_SAGA_STORE);
      const now = Date.now();
      const steps = [
        { name: 'reserve', status: 'CompensationFailed' as const, attempts: 1 },
        { name: 'pay', status: 'Failed' as const, attempts: 1 },
      ];
      await store.create({
        sagaId: 'h-1',
        sagaName: 'elsewhere.order',
        status: 'Failed',
        version: 0,
        data: {},
        steps,
        createdAt: now,
        updatedAt: now,
      });
      const retried = await sagas.retry('h-1');
      assert.equal(retried.status, 'Compensating');
      assert.equal(retried.lease, undefined);
      assert.deepEqual(
        retried.steps.map((s) => [s.status, s.compensationRound]),
        [
          ['Compensating', 1],
          ['Failed', undefined],
        ],
      );
      const stored = (await store.get('h-1'))!;
      assert.equal(stored.status, 'Compensating');
      assert.equal(stored.version, 2);
      assert.equal(stored.lease, undefined, 'the lease is free for the service that defines the saga');
      assert.ok((await store.findOrphaned(Date.now(), 100)).includes('h-1'), 'its recovery pass finds it');

      await store.create(
        { sagaId: 'h-2', sagaName: 'elsewhere.order', status: 'Running', version: 0, data: {}, steps, createdAt: now, updatedAt: now },
        { owner: 'other@1', ttlMs: 60_000 },
      );
      await assert.rejects(sagas.retry('h-2'), SagaStateConflictError, 'a Running saga is not retried');
      const aborted = await sagas.abort('h-2');
      assert.equal(aborted.status, 'Compensating');
      assert.equal((await store.get('h-2'))!.lease, undefined, 'taken from its holder and left free');
    } finally {
      await app.close();
    }
  });
});
