import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../wait/poll-until.js';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import { RespError } from './resp-error.js';

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle | undefined;
  const redis = (): RedisClusterHandle => cluster ?? assert.fail('cluster did not start');

  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('reaches cluster_state:ok on every node with all slots covered by three masters', async () => {
    assert.equal(redis().nodes.length, 3);
    for (let i = 0; i < 3; i += 1) {
      const info = await redis().clusterInfo(i);
      assert.equal(info['cluster_state'], 'ok');
      assert.equal(info['cluster_slots_assigned'], '16384');
      assert.equal(info['cluster_size'], '3');
    }
  });

  it('serves a key on its owning node and redirects elsewhere with MOVED', async () => {
    const owner = await findOwner('order:1');
    assert.equal(await redis().node(owner).command(['SET', 'order:1', 'placed']), 'OK');
    const other = (owner + 1) % 3;
    const moved = await redis()
      .node(other)
      .command(['GET', 'order:1'])
      .catch((e: unknown) => e);
    assert.ok(moved instanceof RespError && moved.code === 'MOVED', String(moved));
    assert.match(moved.message, new RegExp(`127\\.0\\.0\\.1:${redis().node(owner).port}$`));
  });

  it('goes to fail when a master is killed and back to ok after restart', async () => {
    await redis().kill(2);
    await pollUntil(
      async () => {
        const state = (await redis().clusterInfo(0))['cluster_state'];
        if (state !== 'fail') throw new Error(`cluster_state:${state}`);
      },
      { description: 'node 0 to notice the dead master', timeoutMs: 15_000, intervalMs: 200 },
    );
    await redis().restart(2);
    for (let i = 0; i < 3; i += 1) assert.equal((await redis().clusterInfo(i))['cluster_state'], 'ok');
  });

  async function findOwner(key: string): Promise<number> {
    const slot = Number(await redis().node(0).command(['CLUSTER', 'KEYSLOT', key]));
    const shards = (await redis().node(0).command(['CLUSTER', 'SLOTS'])) as readonly (readonly unknown[])[];
    for (const [first, last, master] of shards) {
      if (slot >= Number(first) && slot <= Number(last)) {
        const port = Number((master as readonly unknown[])[1]);
        return redis().nodes.findIndex((node) => node.port === port);
      }
    }
    throw new Error(`no owner for slot ${slot}`);
  }
});
