import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNatsCluster, type NatsClusterHandle } from './nats-cluster.js';
import { readServerInfo } from './raw-nats-client.spec-helper.js';

describe('startNatsCluster', () => {
  let cluster: NatsClusterHandle | undefined;
  const nats = (): NatsClusterHandle => cluster ?? assert.fail('cluster did not start');

  before(async () => {
    cluster = await startNatsCluster({ size: 3 });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('runs three named nodes on distinct ports and exposes their URLs', async () => {
    assert.equal(nats().servers.length, 3);
    assert.deepEqual(
      nats().servers.map((server) => server.name),
      ['n0', 'n1', 'n2'],
    );
    assert.equal(nats().url, nats().urls.join(','));
    assert.equal(new Set(nats().servers.flatMap((s) => [s.port, s.monitorPort])).size, 6);
    for (const server of nats().servers) assert.equal((await readServerInfo(server.port)).server_name, server.name);
  });

  it('elects a JetStream meta leader that every node agrees on', async () => {
    const leader = await nats().metaLeader();
    assert.equal(nats().node(leader.index).name, leader.name);
    for (const server of nats().servers) {
      const meta = (await server.monitor.jsz()).meta_cluster;
      assert.equal(meta?.leader, leader.name);
      assert.equal(meta?.cluster_size, 3);
    }
  });

  it('has every node routed to the two others', async () => {
    for (const server of nats().servers) {
      assert.equal((await server.monitor.routedServerIds()).size, 2, server.name);
      assert.equal((await server.monitor.varz()).routes, 2, server.name);
    }
  });

  it('after SIGKILL of the meta leader the others stay healthy under a new leader', async () => {
    const old = await nats().metaLeader();
    await nats().kill(old.index);
    await nats().waitUntilHealthy();
    const leader = await nats().metaLeader();
    assert.notEqual(leader.name, old.name);
    for (const server of nats().servers.filter((s) => s.isRunning)) {
      assert.equal((await server.monitor.healthz()).httpStatus, 200);
      assert.equal((await server.monitor.routedServerIds()).size, 1);
    }
  });

  it('restart() brings the node back with its routes restored', async () => {
    const down = nats().servers.findIndex((server) => !server.isRunning);
    assert.ok(down >= 0);
    await nats().restart(down);
    const leader = await nats().metaLeader();
    for (const server of nats().servers) {
      assert.equal((await server.monitor.routedServerIds()).size, 2, server.name);
      assert.equal((await server.monitor.jsz()).meta_cluster?.leader, leader.name, server.name);
    }
  });
});
