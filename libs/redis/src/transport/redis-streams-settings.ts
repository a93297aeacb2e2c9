import type { Cluster, Redis } from 'ioredis';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';

/** Every Redis Streams transport option with its default applied: all the transport reads after its constructor. */
export interface RedisStreamsSettings {
  readonly client: Redis | Cluster;
  readonly closeClient: boolean;
  readonly keyPrefix: string;
  readonly instanceId: string;
  readonly blockMs: number;
  readonly maxDeliveries: number;
  readonly redeliveryDelayMs: number;
  readonly ackWaitMs: number;
  readonly maxPayloadBytes: number;
  readonly streamMaxLength: number;
  readonly concurrency: number;
}

/** The defaults documented on `RedisStreamsTransportOptions`, applied once. */
export function resolveRedisStreamsSettings(options: RedisStreamsTransportOptions): RedisStreamsSettings {
  return {
    client: options.client,
    closeClient: options.closeClient ?? false,
    keyPrefix: options.keyPrefix ?? 'catga',
    instanceId: options.instanceId,
    blockMs: options.blockMs ?? 1_000,
    maxDeliveries: options.maxDeliveries ?? 5,
    redeliveryDelayMs: options.redeliveryDelayMs ?? 200,
    ackWaitMs: options.ackWaitMs ?? 1_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    streamMaxLength: options.streamMaxLength ?? 100_000,
    concurrency: options.concurrency ?? 64,
  };
}
