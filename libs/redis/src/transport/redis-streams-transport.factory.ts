import type { TransportContext } from '@catga/core';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';

/**
 * For `CatgaModule.forRoot({ transport: redisStreamsTransport({ url }) })`: one connection from
 * the URL (or the client given), consumers named after the instance.
 */
export function redisStreamsTransport(
  options: Omit<RedisStreamsTransportOptions, 'client' | 'instanceId'> & { url?: string; client?: RedisStreamsTransportOptions['client'] },
): (context: TransportContext) => RedisStreamsTransport {
  return (context) =>
    new RedisStreamsTransport({
      ...options,
      client: options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379'),
      instanceId: `${context.serviceName}-${context.instanceId}`,
    });
}
