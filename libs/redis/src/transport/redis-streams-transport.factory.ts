import type { TransportContext } from '@catga/core';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';

/**
 * For `CatgaModule.forRoot({ transport: redisStreamsTransport({ url }) })`: one connection from
 * the URL, quit at close (or the client given, left open), consumers named after the instance.
 */
export function redisStreamsTransport(
  options: Omit<RedisStreamsTransportOptions, 'client' | 'instanceId' | 'closeClient'> & {
    url?: string;
    client?: RedisStreamsTransportOptions['client'];
  },
): (context: TransportContext) => RedisStreamsTransport {
  return (context) => {
    const { url, client, ...rest } = options;
    return new RedisStreamsTransport({
      ...rest,
      client: client ?? new Redis(url ?? 'redis://127.0.0.1:6379'),
      closeClient: client === undefined,
      instanceId: `${context.serviceName}-${context.instanceId}`,
    });
  };
}
