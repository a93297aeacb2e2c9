// Public surface of @catga/testing: real nats-server / redis-server processes for integration tests.

export { ManagedProcess, type ManagedProcessOptions } from './process/managed-process.js';
export { describeExit, type ExitInfo } from './process/exit-info.js';
export { ProcessExitedError } from './process/process-exited-error.js';
export { pollWhileRunning, type PollWhileRunningOptions } from './process/poll-while-running.js';
export { findBinary, type FindBinaryOptions } from './process/find-binary.js';

export { LOOPBACK_HOST, type HostPort } from './net/host-port.js';
export { freePort, freePorts } from './net/free-port.js';
export { isPortOpen } from './net/port-probe.js';
export { waitForPort, type WaitForPortOptions } from './net/wait-for-port.js';
export {
  createNetworkNamespace,
  networkNamespacesUnavailable,
  removeLeftoverNamespaces,
  type NetworkNamespace,
} from './net/network-namespace.js';

export { pollUntil, type PollOptions } from './wait/poll-until.js';
export { eventually } from './wait/eventually.js';
export { WaitTimeoutError } from './wait/wait-timeout-error.js';

export { NatsMonitor, type NatsHealthz, type NatsJsz, type NatsRoutez, type NatsVarz } from './nats/nats-monitor.js';
export { startNatsServer, type NatsServerHandle, type NatsServerOptions } from './nats/nats-server.js';
export { startNatsCluster, type NatsClusterHandle, type NatsClusterOptions, type NatsMetaLeader } from './nats/nats-cluster.js';

export { RespError } from './redis/resp-error.js';
export { respCommand, type RespCommandOptions, type RespReply } from './redis/redis-command.js';
export { parseRedisInfo } from './redis/redis-info.js';
export { startRedisServer, waitForReplicaSync, type RedisServerHandle, type RedisServerOptions } from './redis/redis-server.js';
export { startRedisSentinelGroup, type RedisSentinelGroupHandle, type RedisSentinelGroupOptions } from './redis/redis-sentinel.js';
export type { RedisSecurity } from './redis/redis-security.js';
export { startRedisCluster, type RedisClusterHandle, type RedisClusterOptions } from './redis/redis-cluster.js';
export type { RedisClusterNode } from './redis/redis-cluster-nodes.js';
export { REDIS_CLUSTER_SLOTS, redisKeySlot } from './redis/redis-key-slot.js';
