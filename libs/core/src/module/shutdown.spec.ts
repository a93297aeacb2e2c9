import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { eventually } from '../conformance/eventually.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from './catga.module.js';

@MessageType('shutdown.slow')
class Slow extends Command<string> {}

@MessageType('shutdown.noticed')
class Noticed {}

const trace: string[] = [];

@CommandHandler(Slow)
class SlowHandler implements ICommandHandler<Slow> {
  constructor(private readonly mediator: CatgaMediator) {}
  async execute(): Promise<string> {
    trace.push('handler started');
    await new Promise((r) => setTimeout(r, 200));
    await this.mediator.publish(new Noticed());
    trace.push('handler finished');
    return 'done';
  }
}

@EventsHandler(Noticed)
class NoticedHandler implements IEventHandler<Noticed> {
  handle(): void {
    trace.push('event handled');
  }
}

describe('graceful shutdown', () => {
  it('close waits for the handling in hand to finish', async () => {
    @Module({ imports: [CatgaModule.forRoot()], providers: [SlowHandler, NoticedHandler] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    app.enableShutdownHooks();
    await app.init();
    trace.length = 0;
    const result = app.get(CatgaMediator).send(new Slow());
    await eventually(() => assert.deepEqual(trace, ['handler started']));
    await app.close();
    trace.push('closed');
    assert.equal(await result, 'done');
    assert.deepEqual(trace.slice(0, 2), ['handler started', 'handler finished']);
    assert.equal(trace.at(-1), 'closed');
  });
});
