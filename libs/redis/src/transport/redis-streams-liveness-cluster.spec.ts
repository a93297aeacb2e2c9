import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisCluster, type RedisClusterHandle } from '@catga/testing';
import { Cluster } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

const PROBE_MS = 300;

describe('Redis Streams liveness on Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  const transports: RedisStreamsTransport[] = [];
  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  });
  after(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await cluster?.stop();
  });

  const transport = (keyPrefix: string, instanceId: string) => {
    const client = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
    const t = new RedisStreamsTransport({ client, closeClient: true, keyPrefix, instanceId });
    transports.push(t);
    return t;
  };
  const address = () => `live:i-${uniqueSuffix()}@${Date.now().toString(36)}`;

  it('an answering instance is alive to checkers, whichever nodes their connections landed on', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    await transport(keyPrefix, 'owner').liveness.answer(at);
    for (let i = 0; i < 4; i++) assert.equal(await transport(keyPrefix, `checker${i}`).liveness.check(at, 5_000), 'alive');
  });

  it('an instance that closed is silent, not gone: a PUBLISH counts the receivers of one node only', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    const owner = transport(keyPrefix, 'owner');
    const checker = transport(keyPrefix, 'checker');
    await owner.liveness.answer(at);
    assert.equal(await checker.liveness.check(at, 5_000), 'alive');
    await owner.close();
    assert.equal(await checker.liveness.check(at, PROBE_MS), 'silent');
  });
});
