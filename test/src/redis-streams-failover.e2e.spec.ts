import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { redisStreamsTransport } from '@catga/redis';
import { pollUntil, startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { assertExactlyOnce, underLoad as runUnderLoad, type Timed } from './failover-load.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

// The claims live 30 s and the caller waits a minute; a dead replica's request entries come back
// to the survivor after the transport's default ackWaitMs (kept alive while a live replica handles
// them). Work finishing within seconds of the fault can only come from the survivor taking the dead
// or frozen owner's claim over through liveness, not its expiry.
const SLOW = 30_000;
/** Well under SLOW, well over the default ackWaitMs plus a sweep and a probe. */
const RECOVERY_BOUND_MS = 8_000;
const REPLICA = fileURLToPath(new URL('./fixtures/effect-service.main.js', import.meta.url));
const IN_FLIGHT = 16;

describe('failover by liveness on the Redis Streams transport, with claims of 30 s', () => {
  let redisServer: RedisServerHandle;
  let redis: Redis;
  const replicas: ServiceProcess[] = [];
  const callers: INestApplicationContext[] = [];

  before(async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
  });

  after(async () => {
    await Promise.allSettled(callers.map((c) => c.close()));
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    redis?.disconnect();
    await redisServer?.stop();
  });

  async function setUp(prefix: string): Promise<{ mediator: CatgaMediator; replicas: ServiceProcess[] }> {
    const env = {
      CATGA_REDIS_URL: redisServer.url,
      FAULTS_TRANSPORT: 'redis-streams',
      FAULTS_PREFIX: prefix,
      FAULTS_CLAIM_TTL_MS: String(SLOW),
    };
    const started = await Promise.all([0, 1].map((i) => startNodeProcess(REPLICA, env, /ready/, `${prefix}-r${i}`)));
    replicas.push(...started);
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'rs-failover-caller',
          transport: redisStreamsTransport({ url: redisServer.url, keyPrefix: prefix, blockMs: 200 }),
          requestTimeoutMs: SLOW * 2,
        }),
      ],
    })
    class CallerModule {}
    const caller = await NestFactory.createApplicationContext(CallerModule, { logger: ['error'] });
    callers.push(caller);
    await caller.init();
    return { mediator: caller.get(CatgaMediator), replicas: started };
  }

  function underLoad(
    prefix: string,
    system: { mediator: CatgaMediator; replicas: ServiceProcess[] },
    fault: () => Promise<void>,
    afterFault?: (sent: readonly Timed[]) => Promise<void>,
  ) {
    const target = { ...system, redis, settleTimeoutMs: SLOW * 2, inFlight: IN_FLIGHT };
    return runUnderLoad(target, prefix, fault, afterFault);
  }

  it('one replica of two SIGKILLed mid-handling: what it held completes on the other within seconds, each command once', async () => {
    const prefix = `rsfo-kill${uniqueSuffix()}`;
    const system = await setUp(prefix);
    const [victim] = system.replicas;
    const run = await underLoad(prefix, system, async () => void (await victim!.kill('SIGKILL')));
    console.log(
      `Redis Streams, SIGKILL 1 of 2: ${run.recovered.length} in flight; the last finished ${run.recovered.at(-1)} ms after the kill`,
    );
    assertExactlyOnce(run.sent, run.effects);
    assert.ok(run.recovered.length > 0, 'commands were in flight at the kill');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the kill`);
  });

  it('one replica of two frozen (SIGSTOP): what it held completes on the other while it is frozen; resumed, it applies nothing twice and serves again', async () => {
    const prefix = `rsfo-freeze${uniqueSuffix()}`;
    const system = await setUp(prefix);
    const [victim] = system.replicas;
    const run = await underLoad(
      prefix,
      system,
      async () => void victim!.child.kill('SIGSTOP'),
      async (sent) => {
        victim!.child.kill('SIGCONT');
        const resumedAt = Date.now();
        // Serving new work, it has also finished what it held when frozen (refused: CLAIM_LOST).
        await pollUntil(
          async () => {
            if (!sent.some((t) => t.startedAt > resumedAt && t.by === victim!.name))
              throw new Error('the resumed replica has served nothing yet');
          },
          { description: 'the resumed replica serving new commands', timeoutMs: 20_000, intervalMs: 50 },
        );
      },
    );
    console.log(
      `Redis Streams, SIGSTOP 1 of 2: ${run.recovered.length} in flight; the last finished ${run.recovered.at(-1)} ms after the freeze`,
    );
    assert.ok(run.recovered.length > 0, 'commands were in flight at the freeze');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the freeze`);
    assertExactlyOnce(run.sent, run.effects);
  });
});
