import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaModule } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { CatgaClientProxy, CatgaMicroservicesModule } from '@catga/microservices';
import { natsTransport } from '@catga/nats';
import { redisStreamsTransport } from '@catga/redis';
import { eventually, startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, Transport, type ClientProxy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { EMAILS_KEY, HANDLED_KEY, SLOW_STARTED_KEY, type UserCreated } from './fixtures/math-sample/math.keys.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

const NEST_MAIN = fileURLToPath(new URL('./fixtures/math-sample/main.nest.js', import.meta.url));
const CATGA_MAIN = fileURLToPath(new URL('./fixtures/math-sample/main.catga.js', import.meta.url));

/** The sample's client code, the same whichever transport the ClientProxy rides. */
async function clientCode(math: ClientProxy): Promise<{ sum: number; refused: string }> {
  const sum = await firstValueFrom(math.send<number>('math.sum', [1, 2, 3]));
  const refused = await firstValueFrom(math.send<number>('math.sum', 'not numbers')).then(
    () => 'answered',
    (error: { message: string }) => error.message,
  );
  return { sum, refused };
}

function emit(math: ClientProxy, user: UserCreated): Promise<unknown> {
  return lastValueFrom(math.emit('user.created', user), { defaultValue: undefined });
}

async function callerOf(
  clients: DynamicModule,
  ...imports: Array<DynamicModule | Type>
): Promise<{ context: INestApplicationContext; math: ClientProxy }> {
  @Module({ imports: [...imports, clients] })
  class Caller {}
  const context = await NestFactory.createApplicationContext(Caller, { logger: ['error'] });
  await context.init();
  return { context, math: context.get<ClientProxy>('MATH') };
}

describe('a stock @nestjs/microservices sample, switched to the Catga strategy by its bootstrap alone', () => {
  let nats: NatsServerHandle;
  let redisServer: RedisServerHandle;
  let redis: Redis;
  const processes: ServiceProcess[] = [];
  const contexts: INestApplicationContext[] = [];

  async function start(main: string, keys: string, name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await startNodeProcess(
      main,
      {
        NATS_URL: nats.url,
        CATGA_NATS_URL: nats.url,
        CATGA_REDIS_URL: redisServer.url,
        MATH_REDIS_URL: redisServer.url,
        MATH_KEYS: keys,
        ...env,
      },
      /math ready/,
      name,
    );
    processes.push(service);
    return service;
  }

  async function nestCaller(): Promise<ClientProxy> {
    const caller = await callerOf(ClientsModule.register([{ name: 'MATH', transport: Transport.NATS, options: { servers: [nats.url] } }]));
    contexts.push(caller.context);
    return caller.math;
  }

  async function catgaCaller(carrier: 'nats' | 'redis', keys: string): Promise<ClientProxy> {
    const transport =
      carrier === 'nats'
        ? natsTransport({ servers: nats.url, attemptTimeoutMs: 1_000 })
        : redisStreamsTransport({ url: redisServer.url, keyPrefix: keys, blockMs: 200 });
    const caller = await callerOf(
      ClientsModule.register([{ name: 'MATH', customClass: CatgaClientProxy, options: { timeoutMs: 20_000 } }]),
      CatgaModule.forRoot({ serviceName: `math-caller-${carrier}`, transport }),
      CatgaMicroservicesModule,
    );
    contexts.push(caller.context);
    return caller.math;
  }

  const handledCount = async (keys: string, id: string) => Number((await redis.hget(HANDLED_KEY(keys), id)) ?? 0);

  before(async () => {
    [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
    redis = new Redis(redisServer.url);
  });

  after(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    redis?.disconnect();
    await Promise.all([nats?.stop(), redisServer?.stop()]);
  });

  it('the same client code gets the same answers from the sample on Nest NATS and on Catga (NATS and Redis Streams)', async () => {
    const keys = `ms${uniqueSuffix()}`;
    const nest = await start(NEST_MAIN, keys, `${keys}-nest`);
    const expected = await clientCode(await nestCaller());
    assert.deepEqual(expected, { sum: 6, refused: 'numbers expected' });
    await nest.kill('SIGTERM');

    const overNats = await start(CATGA_MAIN, keys, `${keys}-catga`);
    assert.deepEqual(await clientCode(await catgaCaller('nats', keys)), expected);
    await overNats.kill('SIGTERM');

    const overRedis = await start(CATGA_MAIN, keys, `${keys}-catga-redis`, { MATH_CARRIER: 'redis' });
    assert.deepEqual(await clientCode(await catgaCaller('redis', keys)), expected);
    await overRedis.kill('SIGTERM');
  });

  it("an event emitted while the handler's service is down is lost on Nest NATS, and handled once when it comes back on Catga", async () => {
    const keys = `ms${uniqueSuffix()}`;
    const user = (id: string): UserCreated => ({ id, tenant: 'acme', email: `  ${id.toUpperCase()}@Example.ORG ` });

    // Nest's NATS transport: core NATS, nobody listening, nothing kept.
    const nestClient = await nestCaller();
    let service = await start(NEST_MAIN, keys, `${keys}-nest-1`);
    await emit(nestClient, user('nest-before'));
    await eventually(async () => assert.equal(await handledCount(keys, 'nest-before'), 1));
    await service.kill('SIGTERM');
    await emit(nestClient, user('nest-while-down'));
    service = await start(NEST_MAIN, keys, `${keys}-nest-2`);
    await emit(nestClient, user('nest-after'));
    await eventually(async () => assert.equal(await handledCount(keys, 'nest-after'), 1));
    // Emitted on the same connection before `nest-after`, which arrived: it would have too.
    assert.equal(await handledCount(keys, 'nest-while-down'), 0, 'lost');
    await service.kill('SIGTERM');

    // The same sample on Catga: a JetStream durable consumer keeps the event for the service.
    const catgaClient = await catgaCaller('nats', keys);
    service = await start(CATGA_MAIN, keys, `${keys}-catga-1`);
    await emit(catgaClient, user('catga-before'));
    await eventually(async () => assert.equal(await handledCount(keys, 'catga-before'), 1));
    await service.kill('SIGTERM');
    await emit(catgaClient, user('catga-while-down'));
    service = await start(CATGA_MAIN, keys, `${keys}-catga-2`);
    await eventually(async () => assert.equal(await handledCount(keys, 'catga-while-down'), 1), 15_000);
    await emit(catgaClient, user('catga-after'));
    await eventually(async () => assert.equal(await handledCount(keys, 'catga-after'), 1));
    assert.equal(await handledCount(keys, 'catga-while-down'), 1, 'handled once');
    // The guard let it in and the pipe normalized it, as on Nest's transport.
    assert.equal(await redis.hget(EMAILS_KEY(keys), 'catga-while-down'), 'catga-while-down@example.org');
    assert.equal(await redis.hget(EMAILS_KEY(keys), 'nest-before'), 'nest-before@example.org');
    await service.kill('SIGTERM');
  });

  it('an event emitted while the service is down on Redis Streams is handled once when it comes back', async () => {
    const keys = `ms${uniqueSuffix()}`;
    const client = await catgaCaller('redis', keys);
    let service = await start(CATGA_MAIN, keys, `${keys}-rs-1`, { MATH_CARRIER: 'redis' });
    await emit(client, { id: 'rs-before', tenant: 'acme', email: 'a@b.c' });
    await eventually(async () => assert.equal(await handledCount(keys, 'rs-before'), 1));
    await service.kill('SIGTERM');
    await emit(client, { id: 'rs-while-down', tenant: 'acme', email: 'a@b.c' });
    service = await start(CATGA_MAIN, keys, `${keys}-rs-2`, { MATH_CARRIER: 'redis' });
    await eventually(async () => assert.equal(await handledCount(keys, 'rs-while-down'), 1), 15_000);
    await service.kill('SIGTERM');
  });

  it('a replica SIGKILLed mid-request: every caller still gets its answer, from the other replica', async () => {
    const keys = `ms${uniqueSuffix()}`;
    const [victim, survivor] = await Promise.all([start(CATGA_MAIN, keys, `${keys}-r0`), start(CATGA_MAIN, keys, `${keys}-r1`)]);
    const client = await catgaCaller('nats', keys);
    const requests = Array.from({ length: 12 }, (_, n) =>
      firstValueFrom(client.send<{ n: number; by: string }>('math.slow', { n, ms: 2_000 })),
    );
    const startedOn = async () => Object.entries(await redis.hgetall(SLOW_STARTED_KEY(keys)));
    await eventually(async () =>
      assert.ok(
        (await startedOn()).some(([, by]) => by === victim!.name),
        'the victim holds a request',
      ),
    );
    const heldByVictim = (await startedOn()).filter(([, by]) => by === victim!.name).map(([n]) => Number(n));
    await victim!.kill('SIGKILL');
    const answers = await Promise.all(requests);
    assert.deepEqual(
      answers.map((a) => a.n),
      Array.from({ length: 12 }, (_, n) => n),
    );
    for (const n of heldByVictim) assert.equal(answers[n]!.by, survivor!.name, `request ${n} answered by the survivor`);
    await survivor!.kill('SIGTERM');
  });
});
