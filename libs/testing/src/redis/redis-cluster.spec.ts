import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../wait/poll-until.js';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import { redisKeySlot } from './redis-key-slot.js';
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

describe('startRedisCluster with replicas', () => {
  let cluster: RedisClusterHandle | undefined;
  const redis = (): RedisClusterHandle => cluster ?? assert.fail('cluster did not start');

  before(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('starts three masters, each with one replica in sync, and no replica serves slots', async () => {
    assert.equal(redis().nodes.length, 6);
    const nodes = await redis().clusterNodes();
    const masters = nodes.filter((node) => node.role === 'master');
    assert.deepEqual(masters.map((node) => node.index).sort(), [0, 1, 2]);
    for (const master of masters) {
      assert.ok(master.slots.length > 0, `master ${master.index} serves slots`);
      const replicas = nodes.filter((node) => node.role === 'replica' && node.masterIndex === master.index);
      assert.equal(replicas.length, 1, `master ${master.index} has one replica`);
      const replica = replicas[0] ?? assert.fail();
      assert.deepEqual(replica.slots, []);
      assert.equal((await redis().node(replica.index).info('replication'))['master_link_status'], 'up');
    }
    assert.equal((await redis().clusterInfo(0))['cluster_size'], '3');
  });

  it('computes the slot of a key as CLUSTER KEYSLOT does, hash tags included', async () => {
    for (const key of ['order:1', 'catga:saga:{saga-7}', '{}x', 'a{}{b}', '{user1000}.following', 'zähler:{ü}', '']) {
      assert.equal(redisKeySlot(key), Number(await redis().node(0).command(['CLUSTER', 'KEYSLOT', key])), key);
    }
  });

  it('promotes the replica of a killed master, which then serves its keys', async () => {
    const master = await redis().masterOf('{failover}');
    const replica = (await redis().clusterNodes()).find((node) => node.role === 'replica' && node.masterIndex === master);
    assert.ok(replica, `master ${master} has a replica`);
    await redis().node(master).command(['SET', '{failover}:before', 'kept']);
    await redis().node(master).command(['WAIT', 1, 5_000]);

    await redis().kill(master);
    await redis().waitForFailover(master, 20_000);

    for (let from = 0; from < 6; from += 1) {
      if (from === master) continue;
      assert.equal(await redis().masterOf('{failover}', from), replica.index, `node ${from} sees the promoted replica`);
    }
    const promoted = redis().node(replica.index);
    assert.equal((await promoted.info('replication'))['role'], 'master');
    assert.equal(await promoted.command(['GET', '{failover}:before']), 'kept');
    assert.equal(await promoted.command(['SET', '{failover}:after', 'written']), 'OK');
  });

  it('takes a restarted old master back as a replica of the node that replaced it', async () => {
    const killed = (await redis().clusterNodes()).find((node) => node.failure === 'fail');
    assert.ok(killed, 'a node is marked failed');
    await redis().restart(killed.index);
    const back = (await redis().clusterNodes()).find((node) => node.index === killed.index);
    assert.equal(back?.role, 'replica');
    assert.equal(back?.failure, 'none');
  });
});
