import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType } from '@catga/core';
import { CatgaLoggingModule } from '@catga/observability';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Logger as PinoLogger } from 'nestjs-pino';

@MessageType('logging.charge')
class Charge extends Command<string> {}

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  private readonly logger = new Logger('Charge');
  async execute(): Promise<string> {
    this.logger.log('charging the card');
    return 'ok';
  }
}

describe('structured logs', () => {
  it('lines written inside a handler carry the service, instance, message type, id and correlation id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'billing', instanceId: 'b-7' }), CatgaLoggingModule.forRoot({ destination })],
      providers: [ChargeHandler],
    })
    class LoggedModule {}
    const app = await NestFactory.createApplicationContext(LoggedModule, { bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    await app.init();
    try {
      await app.get(CatgaMediator).send(new Charge(), { messageId: 'charge-42', correlationId: 'order-9' });
      new Logger('Outside').log('not handling anything');
      const inside = lines.find((l) => l.msg === 'charging the card');
      assert.ok(inside, JSON.stringify(lines.slice(-5)));
      assert.equal(inside.service, 'billing');
      assert.equal(inside.instance, 'b-7');
      assert.equal(inside.messageType, 'logging.charge');
      assert.equal(inside.messageId, 'charge-42');
      assert.equal(inside.correlationId, 'order-9');
      const outside = lines.find((l) => l.msg === 'not handling anything');
      assert.ok(outside);
      assert.equal(outside.correlationId, undefined);
      assert.equal(outside.service, 'billing');
    } finally {
      await app.close();
    }
  });
});
