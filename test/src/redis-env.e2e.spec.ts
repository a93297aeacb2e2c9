import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATGA_IDEMPOTENCY_STORE, CATGA_SAGA_STORE, CatgaMediator, CatgaModule, MessageType } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { RedisIdempotencyStore, RedisSagaStore } from '@catga/redis';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

@MessageType('redis-env.charge')
class Charge extends Command<string> {}

let charges = 0;

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  async execute(): Promise<string> {
    charges++;
    return `charge-${charges}`;
  }
}

describe('CATGA_REDIS_URL', () => {
  let redis: RedisServerHandle;
  const apps: INestApplicationContext[] = [];

  async function boot() {
    @Module({ imports: [CatgaModule.forRoot({ serviceName: 'billing' })], providers: [ChargeHandler] })
    class BillingModule {}
    const app = await NestFactory.createApplicationContext(BillingModule, { logger: ['error'] });
    await app.init();
    apps.push(app);
    return app;
  }

  before(async () => {
    redis = await startRedisServer();
    process.env.CATGA_REDIS_URL = redis.url;
    process.env.CATGA_REDIS_PREFIX = `env${uniqueSuffix()}`;
  });

  after(async () => {
    delete process.env.CATGA_REDIS_URL;
    delete process.env.CATGA_REDIS_PREFIX;
    for (const app of apps) await app.close();
    await redis?.stop();
  });

  it('puts every store on Redis, shared by replicas: a command repeated on another replica runs once', async () => {
    const [a, b] = [await boot(), await boot()];
    assert.ok(a.get(CATGA_IDEMPOTENCY_STORE) instanceof RedisIdempotencyStore);
    assert.ok(a.get(CATGA_SAGA_STORE) instanceof RedisSagaStore);
    const id = `charge-${uniqueSuffix()}`;
    const first = await a.get(CatgaMediator).send(new Charge(), { messageId: id });
    const second = await b.get(CatgaMediator).send(new Charge(), { messageId: id });
    assert.equal(second, first);
    assert.equal(charges, 1);
  });
});
