import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { redisStreamsTransport } from './redis-streams-transport.factory.js';

describe('Redis Streams transport: the client it connects with', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** Connections the server holds, besides the one asking. */
  const connections = async (): Promise<number> => {
    const list = String(await server.command(['CLIENT', 'LIST']));
    return list.split('\n').filter((line) => line.includes('id=') && !line.includes('cmd=client|list')).length;
  };

  it('a client the factory created from the URL is quit at close', async () => {
    await eventually(async () => assert.equal(await connections(), 0), 5_000, 20);
    const transport = redisStreamsTransport({ url: server.url, keyPrefix: `own${uniqueSuffix()}` })({
      serviceName: 'svc',
      instanceId: 'i1',
    });
    await transport.start();
    await eventually(async () => assert.equal(await connections(), 1), 5_000, 20);
    await transport.close();
    await eventually(async () => assert.equal(await connections(), 0), 5_000, 20);
  });

  it('a client the user passed is still usable after close', async () => {
    const client = new Redis(server.url);
    try {
      const transport = redisStreamsTransport({ client, keyPrefix: `own${uniqueSuffix()}` })({ serviceName: 'svc', instanceId: 'i2' });
      await transport.start();
      await transport.close();
      assert.equal(await client.ping(), 'PONG');
      assert.equal(client.status, 'ready');
    } finally {
      await client.quit().catch(() => undefined);
    }
  });
});
