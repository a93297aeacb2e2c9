import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { currentMessageContext } from '../context/message-context.js';
import { StoreUnavailableError } from '../errors/catga-errors.js';
import { CatgaError } from '../errors/catga.error.js';
import { ErrorCode } from '../errors/error-code.decorator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { CATGA_SAGA_STORE } from '../tokens/catga.tokens.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import { SagaDefinition, SagaWorkflow } from './saga-definition.js';
import { SagaOrchestrator } from './saga.orchestrator.js';

@ErrorCode('SPEC_SAGA_DECLINED', { retryable: false })
class Declined extends CatgaError {}

@MessageType('saga-spec.charge')
class Charge extends Command<{ receipt: string }> {
  constructor(
    readonly orderId: string,
    readonly amount: number,
  ) {
    super();
  }
}

const trace: string[] = [];
const chargeIds: string[] = [];
let failRelease = 0;
let shipDelayMs = 0;
/** Charges that fail as if the store were down, before one goes through. */
let chargeOutages = 0;

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  async execute(c: Charge): Promise<{ receipt: string }> {
    chargeIds.push(currentMessageContext()!.envelope.id);
    if (chargeOutages > 0) {
      chargeOutages--;
      throw new StoreUnavailableError('ledger unreachable');
    }
    trace.push(`charge ${c.amount}`);
    if (c.amount > 100) throw new Declined('too much');
    return { receipt: `r-${c.orderId}` };
  }
}

interface OrderData {
  orderId: string;
  amount: number;
  failAt?: 'ship';
}

@SagaWorkflow('spec.order')
class OrderSaga extends SagaDefinition<OrderData> {
  readonly steps = [
    this.step('charge', {
      send: (d) => new Charge(d.orderId, d.amount),
      compensate: async (_d, r) => void trace.push(`refund ${(r.charge as { receipt: string }).receipt}`),
    }),
    this.step('reserve', {
      run: async (d, r) => {
        trace.push(`reserve with ${(r.charge as { receipt: string }).receipt}`);
        return { reservation: `res-${d.orderId}` };
      },
      compensate: async () => {
        if (failRelease > 0) {
          failRelease--;
          throw new Error('release failed');
        }
        trace.push('release');
      },
    }),
    this.step('ship', {
      run: async (d) => {
        if (shipDelayMs) await new Promise((r) => setTimeout(r, shipDelayMs));
        if (d.failAt === 'ship') throw new Error('no truck');
        trace.push('ship');
      },
      // Wide enough that a busy machine never times out a step meant to finish.
      timeoutMs: 1_000,
    }),
  ];
}

async function boot(saga: { transientRetryMs?: number } = {}) {
  @Module({
    // No retry in the handler's pipeline: the step itself sees what the handler throws.
    imports: [CatgaModule.forRoot({ pipeline: { retry: false }, saga: { compensationBackoffMs: 1, recoveryIntervalMs: 0, ...saga } })],
    providers: [ChargeHandler],
  })
  class SagaSpecModule {}
  const app = await NestFactory.createApplicationContext(SagaSpecModule, { logger: false });
  await app.init();
  trace.length = 0;
  chargeIds.length = 0;
  failRelease = 0;
  shipDelayMs = 0;
  chargeOutages = 0;
  return { app, sagas: app.get(SagaOrchestrator) };
}

describe('saga orchestrator', () => {
  it('runs every step in order, feeding each the results before it', async () => {
    const { app, sagas } = await boot();
    try {
      const end = await sagas.start(OrderSaga, 'o-1', { orderId: 'o-1', amount: 10 });
      assert.equal(end.status, 'Completed');
      assert.deepEqual(trace, ['charge 10', 'reserve with r-o-1', 'ship']);
      assert.deepEqual(
        end.steps.map((s) => [s.name, s.status]),
        [
          ['charge', 'Completed'],
          ['reserve', 'Completed'],
          ['ship', 'Completed'],
        ],
      );
      assert.deepEqual(end.steps[1]!.result, { reservation: 'res-o-1' });
      assert.deepEqual(chargeIds, ['o-1:charge'], 'the step command carries <sagaId>:<step>');
    } finally {
      await app.close();
    }
  });

  it('compensates the completed steps in reverse order when a step fails', async () => {
    const { app, sagas } = await boot();
    try {
      const end = await sagas.start(OrderSaga, 'o-2', { orderId: 'o-2', amount: 10, failAt: 'ship' });
      assert.equal(end.status, 'Compensated');
      assert.deepEqual(trace, ['charge 10', 'reserve with r-o-2', 'release', 'refund r-o-2']);
      assert.deepEqual(
        end.steps.map((s) => s.status),
        ['Compensated', 'Compensated', 'Failed'],
      );
      assert.match(end.error!.message, /no truck/);
    } finally {
      await app.close();
    }
  });

  it('a first step that fails leaves nothing to compensate', async () => {
    const { app, sagas } = await boot();
    try {
      const end = await sagas.start(OrderSaga, 'o-3', { orderId: 'o-3', amount: 500 });
      assert.equal(end.status, 'Compensated');
      assert.deepEqual(trace, ['charge 500']);
      assert.equal(end.steps[0]!.error?.code, 'SPEC_SAGA_DECLINED');
    } finally {
      await app.close();
    }
  });

  it('retries a failing compensation with backoff until it succeeds', async () => {
    const { app, sagas } = await boot();
    try {
      failRelease = 2;
      const end = await sagas.start(OrderSaga, 'o-4', { orderId: 'o-4', amount: 10, failAt: 'ship' });
      assert.equal(end.status, 'Compensated');
      assert.deepEqual(trace.slice(-2), ['release', 'refund r-o-4']);
    } finally {
      await app.close();
    }
  });

  it('a compensation that keeps failing leaves the saga Failed with the error, visible', async () => {
    const { app, sagas } = await boot();
    try {
      failRelease = 100;
      const end = await sagas.start(OrderSaga, 'o-5', { orderId: 'o-5', amount: 10, failAt: 'ship' });
      assert.equal(end.status, 'Failed');
      assert.equal(end.steps[1]!.status, 'CompensationFailed');
      assert.match(end.error!.message, /release failed/);
      assert.equal(end.steps[0]!.status, 'Compensated', 'the other compensations still ran');
      assert.equal((await sagas.status('o-5'))!.status, 'Failed');
      assert.equal((await sagas.counts()).Failed, 1);
    } finally {
      await app.close();
    }
  });

  it('a step that meets an infrastructure failure retries it under the same id, and the saga completes without compensating', async () => {
    const { app, sagas } = await boot();
    try {
      chargeOutages = 2;
      const end = await sagas.start(OrderSaga, 'o-7', { orderId: 'o-7', amount: 10 });
      assert.equal(end.status, 'Completed');
      assert.deepEqual(trace, ['charge 10', 'reserve with r-o-7', 'ship']);
      assert.deepEqual(chargeIds, ['o-7:charge', 'o-7:charge', 'o-7:charge']);
      assert.equal(end.steps[0]!.attempts, 3);
    } finally {
      await app.close();
    }
  });

  it('an infrastructure failure that outlasts transientRetryMs fails the step, and only then is the saga compensated', async () => {
    const { app, sagas } = await boot({ transientRetryMs: 300 });
    try {
      chargeOutages = 1_000;
      const end = await sagas.start(OrderSaga, 'o-8', { orderId: 'o-8', amount: 10 });
      assert.equal(end.status, 'Compensated');
      assert.equal(end.steps[0]!.error?.code, 'STORE_UNAVAILABLE');
      assert.ok(chargeIds.length > 2, `${chargeIds.length} attempts`);
      assert.ok(new Set(chargeIds).size === 1, 'every attempt under one id');
    } finally {
      await app.close();
    }
  });

  it('a step that exceeds its time limit counts as failed and is compensated', async () => {
    const { app, sagas } = await boot();
    try {
      shipDelayMs = 1_300;
      const end = await sagas.start(OrderSaga, 'o-6', { orderId: 'o-6', amount: 10 });
      assert.equal(end.status, 'Compensated');
      assert.equal(end.steps[2]!.error?.code, 'TIMEOUT');
      // The timed-out run goes on in the background; let it end here, not in the next test's trace.
      const deadline = Date.now() + 5_000;
      while (!trace.includes('ship') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await app.close();
    }
  });

  it('starting the same saga id twice runs it once and returns the same outcome', async () => {
    const { app, sagas } = await boot();
    try {
      const [a, b] = await Promise.all([
        sagas.start(OrderSaga, 'o-7', { orderId: 'o-7', amount: 10 }),
        sagas.start(OrderSaga, 'o-7', { orderId: 'o-7', amount: 10 }),
      ]);
      const c = await sagas.start(OrderSaga, 'o-7', { orderId: 'o-7', amount: 10 });
      assert.equal(a.status, 'Completed');
      assert.deepEqual([b.status, c.status], ['Completed', 'Completed']);
      assert.deepEqual(
        trace.filter((t) => t === 'ship'),
        ['ship'],
      );
    } finally {
      await app.close();
    }
  });

  it('another instance resumes a saga whose instance died mid-step, re-running the step under the same id', async () => {
    const { app, sagas } = await boot();
    try {
      const store = app.get<SagaStore>(CATGA_SAGA_STORE);
      const now = Date.now() - 60_000;
      // What a dead instance left: charge done, reserve begun (outcome unknown), no live lease.
      await store.create({
        sagaId: 'o-8',
        sagaName: 'spec.order',
        status: 'Running',
        version: 0,
        data: { orderId: 'o-8', amount: 10 },
        steps: [
          { name: 'charge', status: 'Completed', attempts: 1, result: { receipt: 'r-o-8' }, messageId: 'o-8:charge' },
          { name: 'reserve', status: 'Running', attempts: 1, messageId: 'o-8:reserve' },
          { name: 'ship', status: 'Pending', attempts: 0 },
        ],
        createdAt: now,
        updatedAt: now,
      });
      assert.equal(await sagas.recoverOrphans(), 1);
      const deadline = Date.now() + 5_000;
      while ((await sagas.status('o-8'))!.status !== 'Completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const end = (await sagas.status('o-8'))!;
      assert.equal(end.status, 'Completed');
      assert.equal(end.steps[1]!.attempts, 2);
      assert.deepEqual(trace, ['reserve with r-o-8', 'ship'], 'the completed step is not run again');
      assert.equal(await sagas.recoverOrphans(), 0, 'a finished saga is not resumed');
    } finally {
      await app.close();
    }
  });
});
