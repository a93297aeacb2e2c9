import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaMediator } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { pollUntil, startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APPLIED_BY_KEY, EFFECT_SAGA_STEPS, EFFECTS_KEY, EffectRequested, RunEffectSaga } from './fixtures/effect.contracts.js';
import {
  assertExactlyOnce,
  reportRecoveries,
  underLoad as runUnderLoad,
  WORK_MS,
  type EffectCommand,
  startNatsCaller,
  type Timed,
} from './failover-load.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

// Every timeout that could also explain a recovery is 30 s here: the claim's life, the saga's
// lease, the caller's attempt. Work held by a dead or frozen replica finishing in a few seconds can only come from
// liveness (progress silence, then a takeover of the dead owner's claim).
const SLOW = 30_000;
/** Well under SLOW, well over what liveness takes (about 1 s): no flake at either threshold. */
const RECOVERY_BOUND_MS = 8_000;
const REPLICA = fileURLToPath(new URL('./fixtures/effect-service.main.js', import.meta.url));
describe('failover by liveness, with every timeout at 30 s', () => {
  let nats: NatsServerHandle;
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let caller: INestApplicationContext;
  const replicas: ServiceProcess[] = [];

  async function startReplicas(prefix: string, count: number): Promise<ServiceProcess[]> {
    await Promise.all(replicas.splice(0).map((r) => r.kill('SIGKILL')));
    const env = {
      CATGA_NATS_URL: nats.url,
      CATGA_REDIS_URL: redisServer.url,
      FAULTS_PREFIX: prefix,
      FAULTS_CLAIM_TTL_MS: String(SLOW),
      FAULTS_SAGA_LEASE_MS: String(SLOW),
    };
    const started = await Promise.all(Array.from({ length: count }, (_, i) => startNodeProcess(REPLICA, env, /ready/, `${prefix}-r${i}`)));
    replicas.push(...started);
    return started;
  }

  /** Runs the load, applies `fault` once every replica has handled some, and returns what happened. */
  function underLoad(
    prefix: string,
    fault: () => Promise<void>,
    afterFault?: (sent: readonly Timed[]) => Promise<void>,
    make?: (n: number) => EffectCommand,
  ) {
    const target = { mediator: caller.get(CatgaMediator), redis, replicas, settleTimeoutMs: SLOW * 2 };
    return runUnderLoad(target, prefix, fault, afterFault, make);
  }

  before(async () => {
    [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
    redis = new Redis(redisServer.url);
    caller = await startNatsCaller('failover-caller', nats.url, SLOW);
  });

  after(async () => {
    await caller?.close();
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    redis?.disconnect();
    await Promise.all([nats?.stop(), redisServer?.stop()]);
  });

  it('one replica of three SIGKILLed: what it held completes on the others within seconds, each command once', async () => {
    const prefix = `fo-kill${uniqueSuffix()}`;
    const [victim] = await startReplicas(prefix, 3);
    const run = await underLoad(prefix, async () => void (await victim!.kill('SIGKILL')));
    reportRecoveries('SIGKILL 1 of 3', run.recovered);
    assertExactlyOnce(run.sent, run.effects);
    assert.ok(run.recovered.length > 0, 'commands were in flight at the kill');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the kill`);
  });

  it('two replicas of three SIGKILLed together: the survivor finishes what they held within seconds', async () => {
    const prefix = `fo-kill2${uniqueSuffix()}`;
    const [a, b] = await startReplicas(prefix, 3);
    const run = await underLoad(prefix, async () => void (await Promise.all([a!.kill('SIGKILL'), b!.kill('SIGKILL')])));
    reportRecoveries('SIGKILL 2 of 3', run.recovered);
    assertExactlyOnce(run.sent, run.effects);
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the kill`);
  });

  it('a replica frozen (SIGSTOP) 10 s: what it held completes elsewhere while it is frozen; resumed, it applies nothing twice and serves again', async () => {
    const prefix = `fo-freeze${uniqueSuffix()}`;
    const [victim] = await startReplicas(prefix, 3);
    const FREEZE_MS = 10_000;
    let frozenAt = 0;
    let recoveredBeforeWake = false;
    const run = await underLoad(
      prefix,
      async () => {
        victim!.child.kill('SIGSTOP');
        frozenAt = Date.now();
      },
      async (sent) => {
        recoveredBeforeWake = Date.now() - frozenAt < FREEZE_MS;
        // The freeze lasts its 10 s whatever the recovery took: that is the fault, not a wait for it.
        await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, frozenAt + FREEZE_MS - Date.now())));
        victim!.child.kill('SIGCONT');
        const resumedAt = Date.now();
        await pollUntil(
          async () => {
            if (!sent.some((t) => t.startedAt > resumedAt && t.by === victim!.name))
              throw new Error('the resumed replica has served nothing yet');
          },
          { description: 'the resumed replica serving new commands', timeoutMs: 20_000, intervalMs: 50 },
        );
      },
    );
    reportRecoveries('SIGSTOP 1 of 3 for 10 s', run.recovered);
    assert.ok(recoveredBeforeWake, 'what the frozen replica held finished before it woke');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the freeze`);
    // Its handlings taken over while it was frozen finish after the wake: their outcomes and held
    // writes are refused (CLAIM_LOST), so every held effect still landed once.
    assertExactlyOnce(run.sent, run.effects);
  });
  it('one replica of three SIGKILLed while handling events: its deliveries are applied on the others within seconds, each once', async () => {
    const prefix = `fo-events${uniqueSuffix()}`;
    const [victim] = await startReplicas(prefix, 3);
    const mediator = caller.get(CatgaMediator);
    const published: Array<{ id: string; at: number }> = [];
    const firstApplied = new Map<string, number>();
    let running = true;
    // A steady stream of events (a batch every 50 ms) and a watcher noting when each was applied.
    const publisher = (async () => {
      for (let n = 0; running;) {
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            const id = `${prefix}-e${n++}`;
            await mediator.publish(new EffectRequested(n, WORK_MS), { messageId: id });
            published.push({ id, at: Date.now() });
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const watcher = (async () => {
      while (running) {
        const seen = Date.now();
        for (const id of Object.keys(await redis.hgetall(EFFECTS_KEY(prefix)))) if (!firstApplied.has(id)) firstApplied.set(id, seen);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await pollUntil(
      async () => {
        const by = new Set(Object.values(await redis.hgetall(APPLIED_BY_KEY(prefix))));
        if (by.size < 3) throw new Error(`events applied by ${by.size} of 3 replicas so far`);
      },
      { description: 'every replica handling events', timeoutMs: 30_000, intervalMs: 50 },
    );
    const faultAt = Date.now();
    await victim!.kill('SIGKILL');
    const before = () => published.filter((p) => p.at <= faultAt);
    await pollUntil(
      async () => {
        const pending = before().filter((p) => !firstApplied.has(p.id)).length;
        if (pending > 0) throw new Error(`${pending} events published before the kill not applied yet`);
      },
      { description: 'every event published before the kill applied', timeoutMs: SLOW * 2, intervalMs: 20 },
    );
    running = false;
    await Promise.all([publisher, watcher]);
    await pollUntil(
      async () => {
        const effects = await redis.hgetall(EFFECTS_KEY(prefix));
        const missing = published.filter((p) => effects[p.id] === undefined).length;
        if (missing > 0) throw new Error(`${missing} events not applied yet`);
      },
      { description: 'every event applied', timeoutMs: SLOW, intervalMs: 50 },
    );
    const effects = await redis.hgetall(EFFECTS_KEY(prefix));
    const twice = published.filter((p) => effects[p.id] !== '1').map((p) => `${p.id}: ${effects[p.id]}`);
    assert.deepEqual(twice, [], 'each event applied once per handler group');
    const recovered = before()
      .map((p) => firstApplied.get(p.id)! - faultAt)
      .filter((ms) => ms > 0)
      .sort((a, b) => a - b);
    reportRecoveries('SIGKILL 1 of 3 handling events', recovered);
    assert.ok(recovered.length > 0, 'events were in flight at the kill');
    assert.ok(recovered.at(-1)! < RECOVERY_BOUND_MS, `the last was applied ${recovered.at(-1)} ms after the kill`);
  });

  it('one replica of three SIGKILLed while driving sagas and handling their steps: every saga completes within seconds, each step once', async () => {
    const prefix = `fo-sagas${uniqueSuffix()}`;
    const [victim] = await startReplicas(prefix, 3);
    const run = await underLoad(
      prefix,
      async () => void (await victim!.kill('SIGKILL')),
      undefined,
      (n) => new RunEffectSaga(n, WORK_MS),
    );
    reportRecoveries('SIGKILL 1 of 3 running sagas', run.recovered);
    assert.deepEqual(
      run.sent.filter((t) => t.error || t.status !== 'Completed').map((t) => `${t.id}: ${t.status ?? String(t.error)}`),
      [],
      'every saga completed',
    );
    const n = (t: Timed) => Number(t.id.slice(t.id.lastIndexOf('-') + 1));
    const wrong = run.sent
      .flatMap((t) => EFFECT_SAGA_STEPS.map((step) => `saga-${n(t) + 1}:${step}`))
      .filter((id) => run.effects.get(id) !== 1)
      .map((id) => `${id}: ${run.effects.get(id) ?? 0}`);
    assert.deepEqual(wrong, [], 'each step of each saga applied exactly once');
    assert.ok(run.recovered.length > 0, 'sagas were in flight at the kill');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the kill`);
  });
});
