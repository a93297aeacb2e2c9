import { setTimeout as delay } from 'node:timers/promises';
import { describeExit, ProcessExitedError, waitForReplicaSync } from '@catga/testing';
import type { FaultKind, FaultRecord } from './fault-log.js';
import type { Infrastructure } from './infrastructure.js';
import type { ServiceReplica } from './service-replica.js';

/** What a fault acts on and reports to. */
export interface FaultContext {
  readonly infrastructure: Infrastructure;
  /** Records the fault the moment it is injected. */
  begin(kind: FaultKind, target: string, signal?: NodeJS.Signals): FaultRecord;
  /** Called just before a replica is killed (its metrics are scraped there). */
  beforeKill(replica: ServiceReplica): Promise<void>;
  onEvent(line: string): void;
}

const RESTART_ATTEMPTS = 5;
const RESTART_BACKOFF_MS = 1_000;

/** Kills a replica with `signal`, leaves it down for `downMs`, starts it again and waits until it is ready. */
export async function killReplica(context: FaultContext, replica: ServiceReplica, signal: NodeJS.Signals, downMs: number): Promise<void> {
  await context.beforeKill(replica);
  const record = context.begin('replica', replica.instanceId, signal);
  context.onEvent(`chaos: ${signal} ${replica.instanceId} (pid ${replica.pid ?? '?'})`);
  await replica.kill(signal);
  record.exitedAt = Date.now();
  // Stays down a while, as a crashed container does before its restart.
  await delay(downMs);
  await startReplacement(context, replica, record);
  record.replacedAt = Date.now();
  context.onEvent(`chaos: ${replica.instanceId} ready again (pid ${replica.pid ?? '?'}) ${since(record)}`);
}

/** Like a container's restart policy: a replacement that dies while starting is started again. */
async function startReplacement(context: FaultContext, replica: ServiceReplica, record: FaultRecord): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await replica.start();
      return;
    } catch (error) {
      record.failedStarts = attempt;
      context.onEvent(`chaos: ${replica.instanceId} did not come up (${startFailure(error)})`);
      if (attempt >= RESTART_ATTEMPTS) throw error;
      await replica.stop();
      await delay(RESTART_BACKOFF_MS);
    }
  }
}

/**
 * Cuts a replica in a network namespace off from everything on the host (NATS, Redis, callers)
 * for `cutMs`, heals the link and waits until the replica, never restarted, answers ready again.
 */
export async function partitionReplica(context: FaultContext, replica: ServiceReplica, cutMs: number): Promise<void> {
  const network = replica.network;
  if (network === undefined) throw new Error(`${replica.instanceId} does not run in a network namespace`);
  const record = context.begin('partition', replica.instanceId);
  context.onEvent(`chaos: cut ${replica.instanceId} (pid ${replica.pid ?? '?'}) off from NATS and Redis for ${cutMs / 1000} s`);
  try {
    await network.cut();
    await delay(cutMs);
  } finally {
    await network.heal();
  }
  record.healedAt = Date.now();
  context.onEvent(`chaos: ${replica.instanceId} reachable again ${since(record)}`);
  await replica.waitUntilReady();
  record.replacedAt = Date.now();
  context.onEvent(`chaos: ${replica.instanceId} ready again without a restart ${since(record)}`);
}

/** Kills the JetStream meta leader, the node whose loss disturbs the cluster most, and restarts it after `downMs`. */
export async function killNatsMetaLeader(context: FaultContext, downMs: number): Promise<void> {
  const nats = context.infrastructure.nats;
  const { index } = await nats.metaLeader();
  const node = nats.node(index);
  const record = context.begin('nats-node', `nats ${node.name} :${node.port} (meta leader)`, 'SIGKILL');
  context.onEvent(`chaos: SIGKILL NATS node ${node.name} :${node.port}, the JetStream meta leader`);
  await nats.kill(index, 'SIGKILL');
  record.exitedAt = Date.now();
  await delay(downMs);
  await nats.restart(index);
  record.replacedAt = Date.now();
  context.onEvent(`chaos: NATS node ${node.name} back, cluster healthy ${since(record)}`);
}

/** Kills the Redis primary, waits for Sentinel's failover, then brings the old primary back as a replica. */
export async function failOverRedis(context: FaultContext): Promise<void> {
  const redis = context.infrastructure.redis;
  const previous = await redis.currentPrimary();
  const server = redis.serverAt(previous);
  const record = context.begin('redis-primary', `redis primary :${previous.port}`, 'SIGKILL');
  context.onEvent(`chaos: SIGKILL Redis primary :${previous.port}`);
  await server.kill('SIGKILL');
  record.exitedAt = Date.now();
  const promoted = await redis.waitForFailover(previous, 60_000);
  record.promoted = `:${promoted.port}`;
  record.promotedAt = Date.now();
  context.onEvent(`chaos: Sentinel promoted :${promoted.port} ${since(record)}`);
  // Back up, Sentinel turns the old primary into a replica of the new one.
  await server.restart();
  await waitForReplicaSync(server, 60_000);
  record.replacedAt = Date.now();
  context.onEvent(`chaos: old primary :${previous.port} synced as a replica ${since(record)}`);
}

export function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

function startFailure(error: unknown): string {
  if (!(error instanceof ProcessExitedError)) return firstLine(error);
  const lines = error.logTail.split('\n').map((line) => line.trim());
  // A Node crash ends in a stack trace; the line naming the error says most.
  const cause = lines.find((line) => /^\w*(Error|Exception)\b/.test(line)) ?? lines.filter(Boolean).at(-1) ?? '';
  return `${describeExit(error.exit)}: ${cause}`;
}

function since(record: FaultRecord): string {
  return `${((Date.now() - record.at) / 1000).toFixed(1)} s after the fault`;
}
