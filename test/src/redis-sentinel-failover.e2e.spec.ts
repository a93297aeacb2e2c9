import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SagaState } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { redisStoresFromEnv, type RedisStores } from '@catga/redis';
import { startRedisSentinelGroup, type RedisSentinelGroupHandle } from '@catga/testing';

describe('Redis Sentinel failover during saga updates', () => {
  let group: RedisSentinelGroupHandle;
  let stores: RedisStores;

  before(async () => {
    group = await startRedisSentinelGroup({ replicas: 1, sentinels: 3, downAfterMs: 1000 });
    stores = redisStoresFromEnv({
      CATGA_REDIS_URL: group.sentinelNodes.map((n) => `${n.host}:${n.port}`).join(','),
      CATGA_REDIS_MODE: 'sentinel',
      CATGA_REDIS_SENTINEL_NAME: group.masterName,
      CATGA_REDIS_PREFIX: `fo${uniqueSuffix()}`,
    });
  });

  after(async () => {
    await stores?.close();
    await group?.stop();
  });

  it('keeps working after the primary is killed, and reports acknowledged writes lost', async () => {
    const saga = stores.saga;
    const SAGAS = 20;
    const ids = Array.from({ length: SAGAS }, (_, i) => `saga-${i}`);
    const acked = new Map<string, number>();
    for (const id of ids) {
      const now = Date.now();
      const state: SagaState = {
        sagaId: id,
        sagaName: 'failover',
        status: 'Running',
        version: 0,
        data: { n: 0 },
        steps: [],
        createdAt: now,
        updatedAt: now,
      };
      assert.equal(await saga.create(state), true);
      acked.set(id, 1);
    }
    const previous = await group.currentPrimary();
    let killed = false;
    let failedCalls = 0;
    let conflicts = 0;
    const deadline = Date.now() + 60_000;
    let rounds = 0;
    let afterFailover = 0;
    while (Date.now() < deadline && afterFailover < 5) {
      rounds++;
      if (rounds === 5 && !killed) {
        killed = true;
        await group.primary.kill('SIGKILL');
      }
      for (const id of ids) {
        try {
          const current = (await saga.get(id))!;
          const ok = await saga.update({ ...current, data: { n: current.version }, updatedAt: Date.now() }, current.version);
          if (ok) acked.set(id, current.version + 1);
          else conflicts++;
        } catch {
          failedCalls++;
        }
      }
      // Calls may ride through the promotion (they wait up to ~3 s for the connection) or fail.
      if (killed) {
        const now = await group.currentPrimary().catch(() => previous);
        if (now.port !== previous.port) afterFailover++;
      }
    }
    assert.ok(killed);
    assert.ok(afterFailover >= 5, 'updates went on after the failover without restarting anything');
    let lost = 0;
    for (const id of ids) {
      const stored = (await saga.get(id))!;
      lost += Math.max(0, acked.get(id)! - stored.version);
    }
    const newPrimary = await group.currentPrimary();
    assert.notEqual(newPrimary.port, previous.port);
    console.log(
      `Sentinel failover: ${rounds} rounds of ${SAGAS} saga updates, calls failed during failover: ${failedCalls}, ` +
        `acknowledged updates lost: ${lost}, compare-and-set conflicts: ${conflicts}`,
    );
  });
});
