import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sameHostPort, type HostPort } from '../net/host-port.js';
import { pollUntil } from '../wait/poll-until.js';
import { pairsToRecord } from './redis-info.js';
import { startRedisSentinelGroup, type RedisSentinelGroupHandle } from './redis-sentinel.js';

describe('startRedisSentinelGroup', () => {
  let group: RedisSentinelGroupHandle | undefined;
  const sentinel = (): RedisSentinelGroupHandle => group ?? assert.fail('group did not start');

  before(async () => {
    group = await startRedisSentinelGroup({ masterName: 'catga', replicas: 1, sentinels: 3 });
  });

  after(async () => {
    await group?.stop();
  });

  it('reports the started primary, and every sentinel knows the replica and its peers', async () => {
    const primary = await sentinel().currentPrimary();
    assert.ok(sameHostPort(primary, sentinel().primary));
    assert.equal(sentinel().sentinelNodes.length, 3);
    for (const node of sentinel().sentinels) {
      const master = pairsToRecord(await node.command(['SENTINEL', 'MASTER', 'catga']));
      assert.equal(master['num-other-sentinels'], '2');
      assert.equal(master['num-slaves'], '1');
    }
    assert.equal((await sentinel().replicas[0]?.info('replication'))?.['master_link_status'], 'up');
  });

  it('fails over to the replica after SIGKILL of the primary', async () => {
    const before: HostPort = await sentinel().currentPrimary();
    const replica = sentinel().replicas[0] ?? assert.fail('no replica');
    await sentinel().primary.command(['SET', 'order:1', 'placed']);
    await sentinel().primary.kill('SIGKILL');
    const after = await sentinel().waitForFailover(before, 30_000);
    assert.ok(sameHostPort(after, replica), `expected ${replica.port}, got ${after.port}`);
    assert.equal(sentinel().serverAt(after), replica);
    assert.equal((await replica.info('replication'))['role'], 'master');
    assert.ok(sameHostPort(await sentinel().currentPrimary(), replica));
    assert.equal(await replica.command(['GET', 'order:1']), 'placed');
    assert.equal(await replica.command(['SET', 'order:2', 'placed']), 'OK');
  });

  it('a restarted old primary is turned into a replica of the new one', async () => {
    const oldPrimary = sentinel().primary;
    const newPrimary = sentinel().replicas[0] ?? assert.fail('no replica');
    await oldPrimary.restart();
    await pollUntil(
      async () => {
        const replication = await oldPrimary.info('replication');
        if (replication['role'] !== 'slave' || replication['master_port'] !== String(newPrimary.port)) {
          throw new Error(`role:${replication['role']} master_port:${replication['master_port']}`);
        }
        if (replication['master_link_status'] !== 'up') throw new Error('link down');
      },
      // Sentinel looks at a returned old primary with INFO every 10 s outside a failover and
      // converts it once it has reported itself a primary for 8 s more, so the conversion takes
      // two or three of those periods; with the whole suite on two cores it took over 40 s once.
      { description: 'old primary to follow the new one', timeoutMs: 90_000, intervalMs: 200 },
    );
    assert.equal(await oldPrimary.command(['GET', 'order:2']), 'placed');
  });
});
