import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { eventually } from '../conformance/eventually.js';
import { currentMessageContext } from '../context/message-context.js';
import { ValidationFailedError } from '../errors/catga-errors.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { CatgaOperations } from './catga-operations.js';
import { DeadLetterNotFoundError } from './operation-errors.js';

// What an operator does with a running system, over the in-memory parts: the same calls the
// command line and the dashboard make.

@MessageType('ops-spec.parcel-lost')
class ParcelLost {
  constructor(readonly parcel: string) {}
}

@MessageType('ops-spec.count')
class Count extends Command<{ counted: number }> {
  constructor(readonly n: number) {
    super();
  }
}

let broken = true;
const handled: string[] = [];

@EventsHandler(ParcelLost)
class ParcelLostHandler implements IEventHandler<ParcelLost> {
  async handle(e: ParcelLost): Promise<void> {
    if (broken) throw new Error(`no claims desk for ${e.parcel}`);
    handled.push(`${e.parcel} ${currentMessageContext()!.envelope.id}`);
  }
}

@CommandHandler(Count)
class CountHandler implements ICommandHandler<Count> {
  async execute(c: Count): Promise<{ counted: number }> {
    if (!(c instanceof Count)) throw new Error('the body arrived as plain values');
    return { counted: c.n + 1 };
  }
}

async function boot() {
  const transport = new InMemoryTransport({ broker: new InMemoryBroker(), maxDeliveries: 2, redeliveryDelayMs: 1 });
  @Module({
    imports: [CatgaModule.forRoot({ serviceName: 'ops-spec', transport, pipeline: { retry: false } })],
    providers: [ParcelLostHandler, CountHandler],
  })
  class OpsModule {}
  const app = await NestFactory.createApplicationContext(OpsModule, { logger: false });
  await app.init();
  broken = true;
  handled.length = 0;
  return { app, ops: app.get(CatgaOperations) };
}

describe('CatgaOperations', () => {
  it('a poison event is listed with its error, stays when its redrive fails, and once fixed is redriven, handled once and gone', async () => {
    const { app, ops } = await boot();
    try {
      await ops.publish('ops-spec.parcel-lost', { parcel: 'p-1' }, { messageId: 'lost-1' });
      const [entry] = await eventually(async () => {
        const listed = await ops.deadLetters({ type: 'ops-spec.parcel-lost' });
        assert.equal(listed.length, 1);
        return listed;
      });
      assert.equal(entry!.messageId, 'lost-1');
      assert.equal(entry!.group, 'ops-spec.ParcelLostHandler');
      assert.equal(entry!.deliveries, 2);
      assert.match(entry!.error.message, /no claims desk for p-1/);
      const detail = await ops.deadLetter(entry!.id);
      assert.deepEqual(detail.body, { parcel: 'p-1' });
      assert.equal(detail.headers['Catga-Dead-Group'], 'ops-spec.ParcelLostHandler');

      const dry = await ops.redrive({ all: true, type: 'ops-spec.parcel-lost' }, { dryRun: true });
      assert.deepEqual(
        dry.map((r) => r.outcome),
        ['would-redrive'],
      );
      const stillBroken = await ops.redrive({ ids: [entry!.id] });
      assert.equal(stillBroken[0]!.outcome, 'failed');
      assert.match(stillBroken[0]!.error!.message, /no claims desk/);
      assert.equal((await ops.deadLetters({ type: 'ops-spec.parcel-lost' })).length, 1, 'a failed redrive keeps it');

      broken = false;
      const progress: number[] = [];
      const redriven = await ops.redrive({ ids: [entry!.id] }, { onProgress: (_r, done) => progress.push(done) });
      assert.equal(redriven[0]!.outcome, 'redriven');
      assert.deepEqual(progress, [1]);
      assert.deepEqual(handled, ['p-1 lost-1'], 'handled once, under its own message id');
      assert.deepEqual(await ops.deadLetters({ type: 'ops-spec.parcel-lost' }), []);
      await assert.rejects(ops.redrive({ ids: [entry!.id] }), DeadLetterNotFoundError);
    } finally {
      await app.close();
    }
  });

  it('purge removes what it is told to, and asks to be told', async () => {
    const { app, ops } = await boot();
    try {
      await ops.publish('ops-spec.parcel-lost', { parcel: 'p-2' });
      await ops.publish('ops-spec.parcel-lost', { parcel: 'p-3' });
      await eventually(async () => assert.equal((await ops.deadLetters()).length, 2));
      await assert.rejects(ops.purge({}), ValidationFailedError);
      assert.equal(await ops.purge({ type: 'ops-spec.parcel-lost', all: true }), 2);
      assert.deepEqual(await ops.deadLetters(), []);
    } finally {
      await app.close();
    }
  });

  it('send by type name reaches the handler with its class and brings the result back', async () => {
    const { app, ops } = await boot();
    try {
      assert.deepEqual(await ops.send('ops-spec.count', { n: 41 }), { counted: 42 });
      const snapshot = await ops.cluster();
      assert.equal(snapshot.self.service, 'ops-spec');
    } finally {
      await app.close();
    }
  });
});
