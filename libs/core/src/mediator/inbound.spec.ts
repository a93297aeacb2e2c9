import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IsString, ValidateNested } from 'class-validator';
import type { Envelope } from '../envelope/envelope.js';
import { MalformedMessageError, ValidationFailedError } from '../errors/catga-errors.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { MAX_REPORTED_ISSUES } from '../pipeline/behaviors/validation.behavior.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { WireHeader } from '../wire/wire-headers.js';
import { decodeEnvelope } from '../wire/envelope.codec.js';
import { CatgaMediator } from './catga.mediator.js';

@MessageType('inbound.refund')
class Refund extends Command<string> {
  constructor(readonly orderId: string) {
    super();
  }
}

class Line {
  @IsString()
  sku!: string;
}

@MessageType('inbound.bulk')
class Bulk extends Command<void> {
  @ValidateNested({ each: true })
  lines: Line[];
  constructor(lines: Line[]) {
    super();
    this.lines = lines;
  }
}

let refunds = 0;

@CommandHandler(Refund)
class RefundHandler implements ICommandHandler<Refund> {
  async execute(r: Refund): Promise<string> {
    refunds++;
    return `refunded ${r.orderId}`;
  }
}

@CommandHandler(Bulk)
class BulkHandler implements ICommandHandler<Bulk> {
  async execute(): Promise<void> {}
}

describe('inbound messages: the receiver decides', () => {
  const broker = new InMemoryBroker();
  const sender = new InMemoryTransport({ broker });
  let app: INestApplicationContext;

  before(async () => {
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'payments', transport: new InMemoryTransport({ broker }), cluster: false })],
      providers: [RefundHandler, BulkHandler],
    })
    class AppModule {}
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
  });

  after(async () => {
    await app?.close();
    await sender.close();
  });

  it('a command sent with a query kind header still has its effect once per message id', async () => {
    const forged: Envelope = {
      id: 'refund-1',
      type: 'inbound.refund',
      kind: 'query',
      correlationId: 'refund-1',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: { orderId: 'o-1' },
    };
    refunds = 0;
    for (let i = 0; i < 3; i++) assert.deepEqual(await sender.request(forged, { timeoutMs: 5_000 }), { ok: true, result: 'refunded o-1' });
    assert.equal(refunds, 1, 'refunded once, the repeats got the stored outcome');
  });

  it('a body that is not an object of the registered class is malformed, whatever it is', () => {
    const headers = new Map([
      [WireHeader.messageId, 'bad-body'],
      [WireHeader.type, 'inbound.refund'],
      [WireHeader.kind, 'command'],
    ]);
    for (const body of ['[]', '123', '"s"', 'true', 'null']) {
      assert.throws(
        () => decodeEnvelope(headers, new TextEncoder().encode(body), { maxBodyBytes: 1024, expectedType: 'inbound.refund' }),
        (error: unknown) => error instanceof MalformedMessageError && error.messageId === 'bad-body',
        `body ${body}`,
      );
    }
  });

  it('a validation failure lists the first issues and counts the rest, however many items were wrong', async () => {
    const mediator = app.get(CatgaMediator);
    const lines = Array.from({ length: 500 }, () => new Line());
    await assert.rejects(mediator.send(new Bulk(lines)), (error: unknown) => {
      assert.ok(error instanceof ValidationFailedError);
      assert.equal(error.issues.length, MAX_REPORTED_ISSUES);
      assert.match(error.message, new RegExp(`and ${500 - MAX_REPORTED_ISSUES} more$`));
      assert.ok(error.message.length < 4_000, `message of ${error.message.length} characters`);
      return true;
    });
  });
});
