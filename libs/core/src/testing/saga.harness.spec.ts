import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from '@nestjs/cqrs';
import { MessageType } from '../messages/message-type.decorator.js';
import { SagaDefinition, SagaWorkflow } from '../saga/saga-definition.js';
import { SagaHarness } from './saga.harness.js';

@MessageType('harness.pay')
class Pay extends Command<{ paid: number }> {
  constructor(readonly amount: number) {
    super();
  }
}

@MessageType('harness.refund')
class Refund extends Command<void> {
  constructor(readonly amount: number) {
    super();
  }
}

@SagaWorkflow('harness.checkout')
class Checkout extends SagaDefinition<{ amount: number }> {
  readonly steps = [
    this.step('pay', { send: (d) => new Pay(d.amount), compensateWith: (d) => new Refund(d.amount) }),
    this.step('pack', { run: async (_d, r) => ({ box: (r.pay as { paid: number }).paid }), compensate: async () => undefined }),
    this.step('ship', { run: async () => 'shipped' }),
  ];
}

describe('SagaHarness', () => {
  it('runs the saga with canned step results and shows what was sent', async () => {
    const run = await new SagaHarness(Checkout).respond('pay', { paid: 30 }).run('h-1', { amount: 30 });
    assert.equal(run.state.status, 'Completed');
    assert.deepEqual(run.actions, ['pay', 'pack', 'ship']);
    assert.deepEqual(run.state.steps[1]!.result, { box: 30 });
    assert.ok(run.sent.pay instanceof Pay);
  });

  it('makes a step fail and shows the compensations, in reverse order', async () => {
    const run = await new SagaHarness(Checkout).respond('pay', { paid: 1 }).failAt('ship').run('h-2', { amount: 1 });
    assert.equal(run.state.status, 'Compensated');
    assert.deepEqual(run.compensations, ['pack', 'pay']);
    assert.ok(run.sent['pay:compensate'] instanceof Refund);
  });

  it('makes a step time out', async () => {
    const run = await new SagaHarness(Checkout).respond('pay', { paid: 1 }).timeOutAt('pack').run('h-3', { amount: 1 });
    assert.equal(run.state.steps[1]!.error?.code, 'TIMEOUT');
    assert.deepEqual(run.compensations, ['pay']);
  });

  it('makes a compensation keep failing: the saga ends Failed', async () => {
    const run = await new SagaHarness(Checkout)
      .respond('pay', { paid: 1 })
      .failAt('ship')
      .failCompensation('pay')
      .run('h-4', { amount: 1 });
    assert.equal(run.state.status, 'Failed');
    assert.equal(run.compensations.filter((c) => c === 'pay').length, 3);
  });
});
