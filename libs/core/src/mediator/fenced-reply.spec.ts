import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ClaimLostError } from '../errors/catga-errors.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { CatgaMediator } from './catga.mediator.js';

@MessageType('fenced.charge')
class Charge extends Command<string> {
  constructor(readonly orderId: string) {
    super();
  }
}

const runs: string[] = [];

/** Answers its first handling of each order as a fenced one would (taken over while it ran). */
@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  async execute(c: Charge): Promise<string> {
    runs.push(c.orderId);
    if (runs.filter((id) => id === c.orderId).length === 1) {
      throw new ClaimLostError(`fenced.charge for ${c.orderId} was taken over`, {});
    }
    return `charged ${c.orderId}`;
  }
}

describe('a fenced reply (CLAIM_LOST) reaching a caller', () => {
  const broker = new InMemoryBroker();
  let service: INestApplicationContext;
  let caller: INestApplicationContext;

  before(async () => {
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'payments',
          transport: new InMemoryTransport({ broker }),
          cluster: false,
          // No retry inside the service: the fenced reply goes back to the caller.
          pipeline: { retry: false },
        }),
      ],
      providers: [ChargeHandler],
    })
    class ServiceModule {}
    @Module({ imports: [CatgaModule.forRoot({ serviceName: 'checkout', transport: new InMemoryTransport({ broker }), cluster: false })] })
    class CallerModule {}
    service = await NestFactory.createApplicationContext(ServiceModule, { logger: false });
    caller = await NestFactory.createApplicationContext(CallerModule, { logger: false });
    await Promise.all([service.init(), caller.init()]);
  });

  after(async () => {
    await caller?.close();
    await service?.close();
  });

  it('is asked again with the same id, and the caller gets the outcome instead of the fencing', async () => {
    const result = await caller.get(CatgaMediator).send(new Charge('o-1'), { messageId: 'charge-o-1' });
    assert.equal(result, 'charged o-1');
    assert.deepEqual(runs, ['o-1', 'o-1']);
  });
});
