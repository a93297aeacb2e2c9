import 'reflect-metadata';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandBus, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { ErrorCode } from '../errors/error-code.decorator.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { SagaDefinition, SagaWorkflow } from '../saga/saga-definition.js';
import { SagaOrchestrator } from '../saga/saga.orchestrator.js';
import { CatgaTestHarness, CatgaTestingModule } from './index.js';

// The service under test: billing. Payments (ChargeCard, RefundCharge) and subscriptions
// (ActivateSubscription) are other services, faked.

@MessageType('billing-spec.pay-invoice')
class PayInvoice extends Command<{ receipt: string; paidAt: Date }> {
  constructor(
    readonly invoiceId: string,
    readonly amount: number,
    readonly dueAt: Date,
  ) {
    super();
  }
}

@MessageType('billing-spec.charge-card')
class ChargeCard extends Command<{ receipt: string }> {
  constructor(
    readonly invoiceId: string,
    readonly amount: number,
    readonly dueAt: Date,
  ) {
    super();
  }
}

@MessageType('billing-spec.refund-charge')
class RefundCharge extends Command<void> {
  constructor(readonly invoiceId: string) {
    super();
  }
}

@MessageType('billing-spec.activate-subscription')
class ActivateSubscription extends Command<{ activeUntil: Date }> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}

@MessageType('billing-spec.invoice-paid')
class InvoicePaid {
  constructor(
    readonly invoiceId: string,
    readonly receipt: string,
    readonly paidAt: Date,
  ) {}
}

@ErrorCode('BILLING_SPEC_CARD_DECLINED')
class CardDeclinedError extends Error {
  constructor(readonly card: string) {
    super(`card ${card} declined`);
  }
}

@CommandHandler(PayInvoice)
class PayInvoiceHandler implements ICommandHandler<PayInvoice> {
  readonly received: PayInvoice[] = [];

  constructor(
    private readonly commands: CommandBus,
    private readonly mediator: CatgaMediator,
  ) {}

  async execute(command: PayInvoice): Promise<{ receipt: string; paidAt: Date }> {
    this.received.push(command);
    const { receipt } = await this.commands.execute(new ChargeCard(command.invoiceId, command.amount, command.dueAt));
    const paidAt = new Date(command.dueAt.getTime() - 86_400_000);
    await this.mediator.publish(new InvoicePaid(command.invoiceId, receipt, paidAt));
    return { receipt, paidAt };
  }
}

/** Mails a receipt for every paid invoice; the mail server refuses the receipts of `unmailable` invoices. */
@Injectable()
@EventsHandler(InvoicePaid)
class ReceiptMailer implements IEventHandler<InvoicePaid> {
  readonly attempts: string[] = [];
  readonly mailed: string[] = [];

  async handle(event: InvoicePaid): Promise<void> {
    this.attempts.push(event.invoiceId);
    if (event.invoiceId.startsWith('unmailable')) throw new Error(`mail server refused the receipt of ${event.invoiceId}`);
    this.mailed.push(event.invoiceId);
  }
}

interface RenewalData {
  subscriptionId: string;
  amount: number;
  dueAt: Date;
}

@SagaWorkflow('billing-spec.renewal')
class RenewalSaga extends SagaDefinition<RenewalData> {
  readonly steps = [
    this.step('charge', {
      send: (d) => new ChargeCard(d.subscriptionId, d.amount, d.dueAt),
      compensateWith: (d) => new RefundCharge(d.subscriptionId),
    }),
    this.step('activate', { send: (d) => new ActivateSubscription(d.subscriptionId) }),
  ];
}

@Module({ providers: [PayInvoiceHandler, ReceiptMailer] })
class BillingModule {}

const DUE = new Date('2031-05-01T00:00:00.000Z');

describe('CatgaTestingModule', () => {
  let harness: CatgaTestHarness;

  beforeEach(async () => {
    harness = await CatgaTestingModule.create({ imports: [BillingModule], catga: { serviceName: 'billing' }, maxDeliveries: 3 });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('a command crosses the wire codec to its handler: a Date in the body arrives as a Date', async () => {
    harness.fakeHandler(ChargeCard, async () => ({ receipt: 'r-1' }));

    const sent = new PayInvoice('inv-1', 30, DUE);
    await harness.send(sent);

    const [received] = harness.get(PayInvoiceHandler).received;
    assert.notEqual(received, sent, 'the handler gets its own decoded copy');
    assert.ok(received instanceof PayInvoice);
    assert.ok(received.dueAt instanceof Date);
    assert.equal(received.dueAt.toISOString(), DUE.toISOString());
  });

  it("a command handler's send to another service is answered by the fake, and recorded as sent", async () => {
    const charged: ChargeCard[] = [];
    harness.fakeHandler(ChargeCard, async (charge) => {
      charged.push(charge);
      return { receipt: `r-${charge.invoiceId}` };
    });

    const result = await harness.send(new PayInvoice('inv-2', 45, DUE));

    assert.equal(result.receipt, 'r-inv-2');
    assert.ok(result.paidAt instanceof Date, 'the result is decoded by the codec too');
    assert.equal(charged.length, 1);
    assert.ok(charged[0]!.dueAt instanceof Date, 'the fake gets the Date as a Date');
    const sent = harness.sent.of(ChargeCard);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.amount, 45);
    assert.deepEqual(
      harness.sent.envelopes().map((e) => e.type),
      ['billing-spec.charge-card'],
      "the harness's own send is not the service's",
    );
  });

  it('the event a command raised is published once the command succeeded', async () => {
    harness.fakeHandler(ChargeCard, async () => ({ receipt: 'r-3' }));

    await harness.send(new PayInvoice('inv-3', 10, DUE));

    const paid = await harness.published.waitFor(InvoicePaid, (e) => e.invoiceId === 'inv-3');
    assert.equal(paid.receipt, 'r-3');
    assert.ok(paid.paidAt instanceof Date);
    await harness.idle();
    assert.deepEqual(harness.get(ReceiptMailer).mailed, ['inv-3']);
  });

  it("a fake's thrown registered error reaches the caller as that class, and the failed command publishes nothing", async () => {
    harness.fakeHandler(ChargeCard, async () => {
      throw new CardDeclinedError('4242');
    });

    const failure = await harness.send(new PayInvoice('inv-4', 99, DUE)).then(
      () => undefined,
      (error: unknown) => error,
    );

    assert.ok(failure instanceof CardDeclinedError, `got ${String(failure)}`);
    assert.equal(failure.card, '4242');
    await harness.idle();
    assert.deepEqual(harness.published.of(InvoicePaid), []);
  });

  it('an event handler that keeps failing dead-letters the event after maxDeliveries', async () => {
    await harness.publish(new InvoicePaid('unmailable-5', 'r-5', DUE));

    const deadLetter = await harness.deadLetters.waitFor(InvoicePaid, (e) => e.invoiceId === 'unmailable-5');

    assert.equal(deadLetter.deliveries, 3);
    assert.match(deadLetter.error.message, /mail server refused the receipt of unmailable-5/);
    assert.ok(deadLetter.envelope.body.paidAt instanceof Date);
    assert.deepEqual(harness.get(ReceiptMailer).attempts, ['unmailable-5', 'unmailable-5', 'unmailable-5']);
    assert.deepEqual(harness.published.envelopes(), [], "the harness's own publish is not the service's");
  });

  it('idle waits until a published event is handled', async () => {
    await harness.publish(new InvoicePaid('inv-6', 'r-6', DUE));

    await harness.idle();

    assert.deepEqual(harness.get(ReceiptMailer).mailed, ['inv-6']);
  });

  it('idle names what is still under way when it does not come', async () => {
    let release!: () => void;
    harness.fakeHandler(ChargeCard, () => new Promise((resolve) => (release = () => resolve({ receipt: 'r-7' }))));
    const paying = harness.send(new PayInvoice('inv-7', 1, DUE));
    await harness.sent.waitFor(ChargeCard);

    await assert.rejects(harness.idle(50), /handling\(s\) in progress/);

    release();
    await paying;
    await harness.idle();
  });

  it('a saga step answered by a fake completes the saga', async () => {
    harness
      .fakeHandler(ChargeCard, async (charge) => ({ receipt: `r-${charge.invoiceId}` }))
      .fakeHandler(ActivateSubscription, async () => ({ activeUntil: new Date('2032-05-01T00:00:00.000Z') }));

    const state = await harness.get(SagaOrchestrator).start(RenewalSaga, 'sub-8', { subscriptionId: 'sub-8', amount: 12, dueAt: DUE });

    assert.equal(state.status, 'Completed');
    assert.deepEqual(state.steps[0]!.result, { receipt: 'r-sub-8' });
    const activated = state.steps[1]!.result as { activeUntil: Date };
    assert.ok(activated.activeUntil instanceof Date);
    const [charge] = harness.sent.envelopes();
    assert.equal(charge!.correlationId, 'sub-8');
    assert.equal(charge!.id, 'sub-8:charge');
  });

  it('a saga whose later step a fake fails compensates the earlier one through its fake', async () => {
    const refunded: string[] = [];
    harness
      .fakeHandler(ChargeCard, async () => ({ receipt: 'r-9' }))
      .fakeHandler(ActivateSubscription, async () => {
        throw new CardDeclinedError('1111');
      })
      .fakeHandler(RefundCharge, async (refund) => {
        refunded.push(refund.invoiceId);
      });

    const state = await harness.get(SagaOrchestrator).start(RenewalSaga, 'sub-9', { subscriptionId: 'sub-9', amount: 12, dueAt: DUE });

    assert.equal(state.status, 'Compensated');
    assert.deepEqual(refunded, ['sub-9']);
    assert.deepEqual(
      harness.sent.envelopes().map((e) => [e.type, e.id]),
      [
        ['billing-spec.charge-card', 'sub-9:charge'],
        ['billing-spec.activate-subscription', 'sub-9:activate'],
        ['billing-spec.refund-charge', 'sub-9:charge:compensate'],
      ],
    );
  });

  it('refuses to fake a type the service handles itself', () => {
    assert.throws(() => harness.fakeHandler(PayInvoice, async () => ({ receipt: 'x', paidAt: DUE })), /handled by the service under test/);
  });
});

describe('CatgaTestingModule.forRoot', () => {
  it('puts the harness in a module the test builds itself', async () => {
    @Module({ imports: [CatgaTestingModule.forRoot({ catga: { serviceName: 'billing' } }), BillingModule] })
    class TestModule {}
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    try {
      const harness = app.get(CatgaTestHarness);
      harness.fakeHandler(ChargeCard, async () => ({ receipt: 'r-10' }));

      assert.equal((await harness.send(new PayInvoice('inv-10', 5, DUE))).receipt, 'r-10');
      await assert.rejects(harness.close(), /close your testing module/);
    } finally {
      await app.close();
    }
  });
});
