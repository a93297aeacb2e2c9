import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaError, CatgaMediator, CatgaModule, ErrorCode, HeldWritesUnavailableError, holdWrite, MessageType } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Redis } from 'ioredis';
import { holdRedisWrite } from './held-redis-write.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

@ErrorCode('HELD_TEST_BLIP', { retryable: true })
class Blip extends CatgaError {}
@ErrorCode('HELD_TEST_REFUSED')
class Refused extends CatgaError {}

@MessageType('held.add')
class Add extends Command<string> {
  constructor(
    readonly key: string,
    readonly mode: 'ok' | 'flaky' | 'refuse',
  ) {
    super();
  }
}

@MessageType('held.peek')
class Peek extends Query<void> {}

const attempts = new Map<string, number>();
@CommandHandler(Add)
class AddHandler implements ICommandHandler<Add> {
  async execute(c: Add): Promise<string> {
    const n = (attempts.get(c.key) ?? 0) + 1;
    attempts.set(c.key, n);
    holdRedisWrite('HINCRBY', c.key, 'count', 1);
    holdRedisWrite('HSET', c.key, `attempt-${n}`, 'held');
    if (c.mode === 'refuse') throw new Refused('no');
    if (c.mode === 'flaky' && n === 1) throw new Blip('again');
    return 'done';
  }
}

@QueryHandler(Peek)
class PeekHandler implements IQueryHandler<Peek> {
  async execute(): Promise<void> {
    holdWrite('anything');
  }
}

describe('holdRedisWrite: writes that land with the outcome', () => {
  let server: RedisServerHandle;
  let redis: Redis;
  let app: INestApplicationContext;
  const prefix = `held${uniqueSuffix()}`;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'held',
          stores: { idempotency: new RedisIdempotencyStore(redis, { keyPrefix: prefix }) },
          pipeline: { retry: { initialDelayMs: 1, maxDelayMs: 2 }, logging: false },
        }),
      ],
      providers: [AddHandler, PeekHandler],
    })
    class HeldModule {}
    app = await NestFactory.createApplicationContext(HeldModule, { logger: false });
    await app.init();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await server?.stop();
  });

  it('applies the held writes once with the outcome; a repeat of the message applies nothing more', async () => {
    const key = `${prefix}:ok`;
    const mediator = app.get(CatgaMediator);
    assert.equal(await mediator.send(new Add(key, 'ok'), { messageId: 'm-ok' }), 'done');
    assert.equal(await mediator.send(new Add(key, 'ok'), { messageId: 'm-ok' }), 'done');
    assert.deepEqual(await redis.hgetall(key), { count: '1', 'attempt-1': 'held' });
  });

  it("drops the writes of an attempt that failed and was retried, keeping the last attempt's", async () => {
    const key = `${prefix}:flaky`;
    assert.equal(await app.get(CatgaMediator).send(new Add(key, 'flaky'), { messageId: 'm-flaky' }), 'done');
    assert.deepEqual(await redis.hgetall(key), { count: '1', 'attempt-2': 'held' });
  });

  it('applies nothing when the handling fails', async () => {
    const key = `${prefix}:refused`;
    await assert.rejects(app.get(CatgaMediator).send(new Add(key, 'refuse'), { messageId: 'm-refused' }), Refused);
    assert.equal(await redis.exists(key), 0);
  });

  it('a send without a messageId (an id nobody else has) lands its held writes too, those of its last attempt only', async () => {
    const ok = `${prefix}:private-ok`;
    const flaky = `${prefix}:private-flaky`;
    const mediator = app.get(CatgaMediator);
    assert.equal(await mediator.send(new Add(ok, 'ok')), 'done');
    assert.equal(await mediator.send(new Add(flaky, 'flaky')), 'done');
    assert.deepEqual(await redis.hgetall(ok), { count: '1', 'attempt-1': 'held' });
    assert.deepEqual(await redis.hgetall(flaky), { count: '1', 'attempt-2': 'held' });
  });

  it('a send without a messageId that fails lands nothing', async () => {
    const key = `${prefix}:private-refused`;
    await assert.rejects(app.get(CatgaMediator).send(new Add(key, 'refuse')), Refused);
    assert.equal(await redis.exists(key), 0);
  });

  it('refuses with a typed error where nothing can hold writes (a query, or outside a handling)', async () => {
    await assert.rejects(app.get(CatgaMediator).send(new Peek()), HeldWritesUnavailableError);
    assert.throws(() => holdRedisWrite('SET', `${prefix}:outside`, '1'), HeldWritesUnavailableError);
  });
});
