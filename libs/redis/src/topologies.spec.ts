// The same conformance suites on a 3-master Redis Cluster and behind Sentinel.
import {
  eventStreamStoreConformance,
  idempotencyStoreConformance,
  outboxStoreConformance,
  sagaStoreConformance,
  uniqueSuffix,
} from '@catga/core/conformance';
import { startRedisCluster, startRedisSentinelGroup, type RedisClusterHandle, type RedisSentinelGroupHandle } from '@catga/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency.store.js';
import { RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';

type Client = Redis | Cluster;
type Topology = { name: string; start(): Promise<{ connect(): Client; stop(): Promise<void> }> };

const topologies: Topology[] = [
  {
    name: 'redis cluster (3 masters)',
    start: async () => {
      const cluster: RedisClusterHandle = await startRedisCluster({ masters: 3 });
      return { connect: () => new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port }))), stop: () => cluster.stop() };
    },
  },
  {
    name: 'redis sentinel',
    start: async () => {
      const group: RedisSentinelGroupHandle = await startRedisSentinelGroup({ replicas: 1, sentinels: 3 });
      return {
        connect: () => new Redis({ sentinels: group.sentinelNodes.map((n) => ({ host: n.host, port: n.port })), name: group.masterName }),
        stop: () => group.stop(),
      };
    },
  },
];

for (const topology of topologies) {
  let started: Promise<{ connect(): Client; stop(): Promise<void> }> | undefined;
  let users = 0;
  const harness = <S>(make: (c: Client, keyPrefix: string) => S) => async () => {
    users++;
    started ??= topology.start();
    const t = await started;
    const keyPrefix = `conf${uniqueSuffix()}`;
    const clients: Client[] = [];
    const client = () => {
      const c = t.connect();
      clients.push(c);
      return c;
    };
    return {
      store: make(client(), keyPrefix),
      peer: async () => make(client(), keyPrefix),
      dispose: async () => {
        await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
        if (--users === 0) {
          await t.stop();
          started = undefined;
        }
      },
    };
  };
  idempotencyStoreConformance(topology.name, harness((c, keyPrefix) => new RedisIdempotencyStore(c, { keyPrefix })));
  sagaStoreConformance(topology.name, harness((c, keyPrefix) => new RedisSagaStore(c, { keyPrefix })));
  outboxStoreConformance(topology.name, harness((c, keyPrefix) => new RedisOutboxStore(c, { keyPrefix })));
  eventStreamStoreConformance(topology.name, harness((c, keyPrefix) => new RedisEventStreamStore(c, { keyPrefix })));
}
