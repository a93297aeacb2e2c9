import type { TransportSignals } from '@catga/core/transport';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** A connection of the same kind and settings, since a blocking read holds its connection. */
export function duplicate(client: RedisClient): RedisClient {
  // Duck-typed: a Cluster from another copy of ioredis is still a Cluster.
  return 'nodes' in client && typeof client.nodes === 'function' ? (client as Cluster).duplicate() : (client as Redis).duplicate();
}

/** Emits the client's connection changes as `connection` signals. */
export function watchConnection(client: RedisClient, transport: string, signals: TransportSignals, closing: () => boolean): void {
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
}
