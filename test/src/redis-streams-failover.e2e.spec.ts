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
import { ApplyEffect, EFFECTS_KEY } from './fixtures/effect.contracts.js';
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
const WORK_MS = 150;

interface Timed {
  readonly id: string;
  readonly startedAt: number;
  finishedAt?: number;
  by?: string;
  error?: unknown;
}

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

  /**
   * Keeps IN_FLIGHT commands going; once both replicas have served some, applies `fault`, waits for
   * what was in flight then, and runs `afterFault` before the load stops.
   */
  async function underLoad(
    prefix: string,
    mediator: CatgaMediator,
    fault: () => Promise<void>,
    afterFault?: (sent: readonly Timed[]) => Promise<void>,
  ) {
    const sent: Timed[] = [];
    let running = true;
    let n = 0;
    const worker = async () => {
      while (running) {
        const t: Timed = { id: `${prefix}-${n++}`, startedAt: Date.now() };
        sent.push(t);
        try {
          t.by = (await mediator.send(new ApplyEffect(n, WORK_MS), { messageId: t.id })).by;
        } catch (error) {
          t.error = error;
        }
        t.finishedAt = Date.now();
      }
    };
    const workers = Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await pollUntil(
      async () => {
        const by = new Set(sent.map((t) => t.by).filter(Boolean));
        if (by.size < 2) throw new Error(`handled by ${by.size} of 2 so far`);
      },
      { description: 'both replicas handling', timeoutMs: 30_000, intervalMs: 50 },
    );
    const faultAt = Date.now();
    await fault();
    await pollUntil(
      async () => {
        const pending = sent.filter((t) => t.startedAt <= faultAt && t.finishedAt === undefined).length;
        if (pending > 0) throw new Error(`${pending} in flight at the fault still running`);
      },
      { description: 'the work in flight at the fault finished', timeoutMs: SLOW * 2, intervalMs: 20 },
    );
    const recoveredAt = Date.now();
    await afterFault?.(sent);
    running = false;
    await workers;
    const recovered = sent
      .filter((t) => t.startedAt <= faultAt && t.finishedAt! > faultAt)
      .map((t) => t.finishedAt! - faultAt)
      .sort((a, b) => a - b);
    const effects = new Map(Object.entries(await redis.hgetall(EFFECTS_KEY(prefix))).map(([k, v]) => [k, Number(v)]));
    return { sent, recovered, effects, faultAt, recoveredAt };
  }

  function assertExactlyOnce(sent: readonly Timed[], effects: ReadonlyMap<string, number>): void {
    assert.deepEqual(
      sent.filter((t) => t.error).map((t) => String(t.error)),
      [],
      'every caller got its result',
    );
    const wrong = sent.filter((t) => effects.get(t.id) !== 1).map((t) => `${t.id}: ${effects.get(t.id) ?? 0}`);
    assert.deepEqual(wrong, [], 'each command applied exactly once');
  }

  it('one replica of two SIGKILLed mid-handling: what it held completes on the other within seconds, each command once', async () => {
    const prefix = `rsfo-kill${uniqueSuffix()}`;
    const {
      mediator,
      replicas: [victim],
    } = await setUp(prefix);
    const run = await underLoad(prefix, mediator, async () => void (await victim!.kill('SIGKILL')));
    console.log(
      `Redis Streams, SIGKILL 1 of 2: ${run.recovered.length} in flight; the last finished ${run.recovered.at(-1)} ms after the kill`,
    );
    assertExactlyOnce(run.sent, run.effects);
    assert.ok(run.recovered.length > 0, 'commands were in flight at the kill');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the kill`);
  });

  it('one replica of two frozen (SIGSTOP): what it held completes on the other while it is frozen; resumed, it applies nothing twice and serves again', async () => {
    const prefix = `rsfo-freeze${uniqueSuffix()}`;
    const {
      mediator,
      replicas: [victim],
    } = await setUp(prefix);
    const run = await underLoad(
      prefix,
      mediator,
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
