import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaMediator } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import {
  createNetworkNamespace,
  pollUntil,
  startNatsServer,
  startRedisServer,
  type NatsServerHandle,
  type NetworkNamespace,
  type RedisServerHandle,
} from '@catga/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { assertExactlyOnce, reportRecoveries, underLoad, startNatsCaller } from './failover-load.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

// As in failover.e2e.spec.ts: the claim's life and the caller's attempt are 30 s, so work held by
// the cut-off replica finishing in seconds can only come from liveness (its silence, then a takeover).
const SLOW = 30_000;
/** Well under SLOW, well over what liveness takes (1 to 2 s): no flake at either threshold. */
const RECOVERY_BOUND_MS = 8_000;
const CUT_MS = 10_000;
const REPLICA = fileURLToPath(new URL('./fixtures/effect-service.main.js', import.meta.url));

describe('a replica cut off from NATS and Redis by a network partition, with every timeout at 30 s', () => {
  let network: NetworkNamespace | undefined;
  let nats: NatsServerHandle;
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let caller: INestApplicationContext;
  const replicas: ServiceProcess[] = [];

  before(async () => {
    // Root and `ip netns` are required: without them this fails with the reason rather than skipping.
    network = await createNetworkNamespace();
    // The replica inside connects from its own address, which protected mode would refuse.
    [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer({ protectedMode: false })]);
    redis = new Redis(redisServer.url);
    caller = await startNatsCaller('partition-caller', nats.url, SLOW);
  });

  after(async () => {
    try {
      await caller?.close();
      await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
      redis?.disconnect();
      await Promise.all([nats?.stop(), redisServer?.stop()]);
    } finally {
      await network?.remove();
    }
  });

  it('one replica of three cut off 10 s: what it held completes on the others within seconds; healed, it serves again without a restart and nothing it writes lands twice', async () => {
    const prefix = `part${uniqueSuffix()}`;
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redisServer.url, FAULTS_PREFIX: prefix, FAULTS_CLAIM_TTL_MS: String(SLOW) };
    // The replica inside reaches 127.0.0.1 through the namespace's router, so it uses the same URLs.
    const started = await Promise.all([
      startNodeProcess(REPLICA, env, /ready/, `${prefix}-cut`, 0, network!.launcher),
      startNodeProcess(REPLICA, env, /ready/, `${prefix}-r1`),
      startNodeProcess(REPLICA, env, /ready/, `${prefix}-r2`),
    ]);
    replicas.push(...started);
    const victim = started[0];
    let cutAt = 0;
    let recoveredBeforeHeal = false;
    const run = await underLoad(
      {
        mediator: caller.get(CatgaMediator),
        redis,
        replicas,
        settleTimeoutMs: SLOW * 2,
        // Cut while it is busy, so it holds commands then: answering in the last 100 ms, and warmed up.
        beforeFault: (sent) => {
          const answered = sent.filter((t) => t.by === victim.name).map((t) => t.finishedAt!);
          if (answered.length < 5 || Date.now() - Math.max(...answered) > 100) throw new Error('the replica to cut off is not busy yet');
        },
      },
      prefix,
      async () => {
        await network!.cut();
        cutAt = Date.now();
      },
      async (sent) => {
        recoveredBeforeHeal = Date.now() - cutAt < CUT_MS;
        // The cut lasts its 10 s whatever the recovery took: that is the fault, not a wait for it.
        await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, cutAt + CUT_MS - Date.now())));
        await network!.heal();
        const healedAt = Date.now();
        await pollUntil(
          async () => {
            if (!sent.some((t) => t.startedAt > healedAt && t.by === victim.name))
              throw new Error('the healed replica has served nothing yet');
          },
          // TCP retransmits with backoff: connections that lived through 10 s of silence resume within seconds.
          { description: 'the healed replica serving new commands', timeoutMs: 30_000, intervalMs: 50 },
        );
        const servedAgain = Math.min(...sent.filter((t) => t.startedAt > healedAt && t.by === victim.name).map((t) => t.finishedAt!));
        console.log(`partition: the healed replica answered a new command ${servedAgain - healedAt} ms after the heal`);
        // Drained, it has made every write it ever will: what it held when cut is all in the count below.
        const exit = await victim.kill('SIGTERM');
        assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `the healed replica drained and exited: ${JSON.stringify(exit)}`);
      },
    );
    reportRecoveries('partition 1 of 3 for 10 s', run.recovered);
    assert.ok(run.recovered.length > 0, 'commands were in flight at the cut');
    // Its callers hear the silence after 3 progress intervals (600 ms): quicker, it held nothing at the cut.
    assert.ok(
      run.recovered.at(-1)! > 500,
      `the cut-off replica held commands at the cut (the last finished ${run.recovered.at(-1)} ms after)`,
    );
    assert.ok(recoveredBeforeHeal, 'what the cut-off replica held finished before the heal');
    assert.ok(run.recovered.at(-1)! < RECOVERY_BOUND_MS, `the last finished ${run.recovered.at(-1)} ms after the cut`);
    // Its handlings taken over during the cut finish after the heal: their outcomes and held writes
    // are refused (CLAIM_LOST), so every held effect still landed once.
    assertExactlyOnce(run.sent, run.effects);
  });
});
