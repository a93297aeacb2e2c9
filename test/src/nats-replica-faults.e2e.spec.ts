import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { ApplyEffect, DIRECT_EFFECTS_KEY, EFFECTS_KEY } from './fixtures/effect.contracts.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

const REPLICA = fileURLToPath(new URL('./fixtures/effect-service.main.js', import.meta.url));
const TOTAL = 2000;
const IN_FLIGHT = 64;

interface Run {
  failures: unknown[];
  handledBy: Map<string, number>;
  /** Times each command's held effect (landing with its outcome) was applied. */
  effects: Map<string, number>;
  /** Times each command's directly written effect was applied. */
  direct: Map<string, number>;
  inFlightAtFault: number;
}

/** Sends TOTAL commands, IN_FLIGHT at a time, and calls `fault` once `faultAt` have completed. */
async function drive(mediator: CatgaMediator, redis: Redis, prefix: string, faultAt: number, fault: () => Promise<void>): Promise<Run> {
  const failures: unknown[] = [];
  const handledBy = new Map<string, number>();
  let next = 0;
  let done = 0;
  let faulted: Promise<void> | undefined;
  let inFlightAtFault = 0;
  const worker = async () => {
    while (next < TOTAL) {
      const n = next++;
      try {
        const { by } = await mediator.send(new ApplyEffect(n, n % 5), { messageId: `${prefix}-${n}` });
        handledBy.set(by, (handledBy.get(by) ?? 0) + 1);
      } catch (error) {
        failures.push(error);
      }
      if (++done === faultAt) {
        inFlightAtFault = next - done;
        faulted = fault();
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await faulted;
  const counts = async (key: string) => new Map(Object.entries(await redis.hgetall(key)).map(([k, v]) => [k, Number(v)]));
  return {
    failures,
    handledBy,
    effects: await counts(EFFECTS_KEY(prefix)),
    direct: await counts(DIRECT_EFFECTS_KEY(prefix)),
    inFlightAtFault,
  };
}

describe('replicas dying under load', () => {
  let nats: NatsServerHandle;
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let caller: INestApplicationContext;
  const replicas: ServiceProcess[] = [];

  async function startReplicas(prefix: string, count: number) {
    // Replicas of an earlier test would serve the same queue group and count into its own key.
    await Promise.all(replicas.splice(0).map((r) => r.kill('SIGTERM')));
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redisServer.url, FAULTS_PREFIX: prefix };
    const started = await Promise.all(Array.from({ length: count }, (_, i) => startNodeProcess(REPLICA, env, /ready/, `${prefix}-r${i}`)));
    replicas.push(...started);
    return started;
  }

  before(async () => {
    [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
    redis = new Redis(redisServer.url);
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'faults-caller',
          transport: natsTransport({ servers: nats.url, attemptTimeoutMs: 1_500, noRespondersTimeoutMs: 10_000 }),
          requestTimeoutMs: 60_000,
        }),
      ],
    })
    class CallerModule {}
    caller = await NestFactory.createApplicationContext(CallerModule, { logger: ['error'] });
    await caller.init();
  });

  after(async () => {
    await caller?.close();
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    redis?.disconnect();
    await Promise.all([nats?.stop(), redisServer?.stop()]);
  });

  it('a replica killed with SIGKILL mid-run: every command completes for its caller, and a held effect is applied exactly once', async () => {
    const prefix = `kill${uniqueSuffix()}`;
    const [victim, ...others] = await startReplicas(prefix, 3);
    const started = Date.now();
    const run = await drive(caller.get(CatgaMediator), redis, prefix, TOTAL / 4, async () => {
      await victim!.kill('SIGKILL');
    });
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(run.failures.map(String), [], 'every caller got its result');
    const missing = Array.from({ length: TOTAL }, (_, n) => `${prefix}-${n}`).filter((id) => !run.effects.has(id));
    assert.deepEqual(missing, [], 'every command took effect');
    const twice = [...run.effects].filter(([, count]) => count > 1);
    const directTwice = [...run.direct].filter(([, count]) => count > 1);
    console.log(
      `SIGKILL run: ${TOTAL} commands in ${seconds.toFixed(1)} s, ${run.inFlightAtFault} in flight at the kill, ` +
        `held effects applied twice: ${twice.length}, direct writes applied twice: ${directTwice.length}, ` +
        `handled by ${JSON.stringify(Object.fromEntries(run.handledBy))}`,
    );
    assert.deepEqual(twice, [], 'a held effect lands with the outcome: exactly once');
    // A replica killed between a direct write and recording its outcome leaves that command to be
    // run again once its claim lapses: at most the commands it held can be written twice.
    assert.ok(directTwice.length <= run.inFlightAtFault, `${directTwice.length} written twice`);
    assert.equal(run.direct.size, TOTAL);
    assert.ok(
      others.every((r) => (run.handledBy.get(r.name) ?? 0) > 0),
      'the survivors took the load',
    );
  });

  it('a replica stopped with SIGTERM mid-run drains: nothing lost, nothing failed, nothing applied twice', async () => {
    const prefix = `term${uniqueSuffix()}`;
    const [victim] = await startReplicas(prefix, 3);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const run = await drive(caller.get(CatgaMediator), redis, prefix, TOTAL / 4, async () => {
      exit = await victim!.kill('SIGTERM');
    });
    assert.deepEqual(run.failures.map(String), []);
    const counts = Array.from({ length: TOTAL }, (_, n) => run.effects.get(`${prefix}-${n}`) ?? 0);
    const wrong = counts.map((c, n) => [n, c] as const).filter(([, c]) => c !== 1);
    assert.deepEqual(wrong, [], `each command applied exactly once; victim output:\n${victim!.output().slice(-3000)}`);
    assert.ok(exit && (exit.code === 0 || exit.signal === 'SIGTERM'), JSON.stringify(exit));
    assert.match(victim!.output(), /drained and closed/);
    assert.ok((run.handledBy.get(victim!.name) ?? 0) > 0, 'the stopped replica had handled some before');
  });
});
