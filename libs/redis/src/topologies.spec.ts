// The same conformance suites on a 3-master Redis Cluster and behind Sentinel.
import {
  eventStreamStoreConformance,
  idempotencyStoreConformance,
  outboxStoreConformance,
  sagaStoreConformance,
} from '@catga/core/conformance';
import { startRedisCluster, startRedisSentinelGroup, type RedisClusterHandle, type RedisSentinelGroupHandle } from '@catga/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisEventStreamStore } from './event-stream/redis-event-stream.store.js';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency.store.js';
import { RedisOutboxStore } from './outbox/redis-outbox.store.js';
import { RedisSagaStore } from './saga/redis-saga.store.js';
import { sharedTopology, type RedisTopology } from './store-harness.spec-helper.js';

type Topology = { name: string; start(): Promise<RedisTopology> };

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
  const harness = sharedTopology(topology.start);
  idempotencyStoreConformance(
    topology.name,
    harness((c, keyPrefix) => new RedisIdempotencyStore(c, { keyPrefix })),
  );
  sagaStoreConformance(
    topology.name,
    harness((c, keyPrefix) => new RedisSagaStore(c, { keyPrefix })),
  );
  outboxStoreConformance(
    topology.name,
    harness((c, keyPrefix) => new RedisOutboxStore(c, { keyPrefix })),
  );
  eventStreamStoreConformance(
    topology.name,
    harness((c, keyPrefix) => new RedisEventStreamStore(c, { keyPrefix })),
  );
}
