import { type HealthReport, type TransportSignals, withTimeout } from '@catga/core/transport';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** A health check's PING must answer within this. */
const HEALTH_TIMEOUT_MS = 1_000;

/** Whether `client` is a Redis Cluster client; duck-typed, since a Cluster from another copy of ioredis is still one. */
export function isCluster(client: RedisClient): client is Cluster {
  return 'nodes' in client && typeof client.nodes === 'function';
}

/**
 * A connection of the same kind and settings, since a blocking read (or a subscription) holds its
 * connection. Its connection errors are heard here and go no further: each command on it fails
 * on its own (and is retried by its owner), and health reports the transport's main connection;
 * without a listener, ioredis would print every reconnect attempt as an unhandled error. Its
 * commands are never auto-pipelined: a blocking read has nothing to share a write with, and
 * ioredis holds a connection's next pipeline until the one in flight is answered.
 */
export function duplicate(client: RedisClient): RedisClient {
  const unpiped = { enableAutoPipelining: false };
  const copy = isCluster(client) ? client.duplicate(undefined, unpiped) : (client as Redis).duplicate(unpiped);
  copy.on('error', () => undefined);
  return copy;
}

/** Up while the client is ready and Redis answers a PING within a second. */
export async function connectionHealth(client: RedisClient): Promise<HealthReport> {
  if (client.status !== 'ready') return { up: false, details: { status: client.status } };
  const started = performance.now();
  try {
    await withTimeout(client.ping(), HEALTH_TIMEOUT_MS, () => new Error(`no PONG within ${HEALTH_TIMEOUT_MS} ms`));
    return { up: true, details: { status: client.status, rttMs: Math.round((performance.now() - started) * 10) / 10 } };
  } catch (error) {
    return { up: false, details: { status: client.status, error: (error as Error).message } };
  }
}

/** Emits the client's connection changes as `connection` signals until the returned function is called. */
export function watchConnection(client: RedisClient, transport: string, signals: TransportSignals, closing: () => boolean): () => void {
  let lost = false;
  const onClose = () => {
    if (lost || closing()) return;
    lost = true;
    signals.emit('connection', { transport, connected: false, reconnected: false });
  };
  const onReady = () => {
    signals.emit('connection', { transport, connected: true, reconnected: lost });
    lost = false;
  };
  client.on('close', onClose).on('ready', onReady);
  if (client.status === 'ready') signals.emit('connection', { transport, connected: true, reconnected: false });
  return () => void client.off('close', onClose).off('ready', onReady);
}

/** Closes a client the transport owns. */
export async function quit(client: RedisClient): Promise<void> {
  // QUIT would wait for a connection that is down; there is nobody to say goodbye to, so drop it.
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
