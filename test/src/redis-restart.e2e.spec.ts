import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType, StoreUnavailableError } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@catga/redis';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

@MessageType('restart.ping')
class Ping extends Command<string> {}

@CommandHandler(Ping)
class PingHandler implements ICommandHandler<Ping> {
  async execute(): Promise<string> {
    return 'pong';
  }
}

describe('Redis restarted under load', () => {
  let redis: RedisServerHandle;
  let app: INestApplicationContext;

  before(async () => {
    redis = await startRedisServer();
    process.env.CATGA_REDIS_URL = redis.url;
    process.env.CATGA_REDIS_PREFIX = `restart${uniqueSuffix()}`;
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'restart', pipeline: { retry: false } }), TerminusModule],
      providers: [PingHandler, RedisHealthIndicator],
    })
    class RestartModule {}
    app = await NestFactory.createApplicationContext(RestartModule, { logger: false });
    await app.init();
  });

  after(async () => {
    delete process.env.CATGA_REDIS_URL;
    delete process.env.CATGA_REDIS_PREFIX;
    await app?.close();
    await redis?.stop();
  });

  it('commands fail with a typed, retryable STORE_UNAVAILABLE while Redis is down and succeed once it is back; health follows', async () => {
    const mediator = app.get(CatgaMediator);
    const health = app.get(RedisHealthIndicator);
    assert.equal(await mediator.send(new Ping()), 'pong');
    assert.equal((await health.isHealthy()).redis.status, 'up');
    assert.equal((await health.isHealthy()).redis.mode, 'single');
    await redis.kill('SIGKILL');
    await eventually(async () => assert.equal((await health.isHealthy('redis', 300)).redis.status, 'down'), 10_000, 100);
    const started = Date.now();
    await assert.rejects(mediator.send(new Ping()), (e: unknown) => {
      assert.ok(e instanceof StoreUnavailableError, `got ${String(e)}`);
      assert.equal(e.retryable, true);
      return true;
    });
    const failedWithinMs = Date.now() - started;
    await redis.restart();
    await eventually(async () => assert.equal(await mediator.send(new Ping()), 'pong'), 20_000, 200);
    assert.equal((await health.isHealthy()).redis.status, 'up');
    console.log(`Redis down: a command failed typed after ${failedWithinMs} ms; after restart commands succeed again`);
  });
});
