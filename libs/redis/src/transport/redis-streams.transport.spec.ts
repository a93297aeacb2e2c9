import { transportConformance, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

let server: RedisServerHandle | undefined;

transportConformance('redis streams', async () => {
  server = await startRedisServer();
  const keyPrefix = `conf${uniqueSuffix()}`;
  const clients: Redis[] = [];
  let n = 0;
  return {
    createPeer: async () => {
      const client = new Redis(server!.url);
      clients.push(client);
      return new RedisStreamsTransport({ client, keyPrefix, instanceId: `peer${++n}`, blockMs: 200, redeliveryDelayMs: 20 });
    },
    dispose: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
      await server?.stop();
    },
  };
});
