import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportsHealth } from '@catga/core/transport';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

describe('Redis Streams transport: health', () => {
  it('is up while its Redis answers and goes down once that Redis is stopped', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url);
    // The stopped server makes ioredis emit connection errors; the test expects them.
    client.on('error', () => undefined);
    const transport = new RedisStreamsTransport({ client, keyPrefix: `health${uniqueSuffix()}`, instanceId: 'h1' });
    try {
      if (!reportsHealth(transport)) assert.fail('the transport does not report its health');
      await eventually(async () => assert.equal((await transport.health()).up, true), 5_000, 20);
      await server.stop();
      await eventually(async () => assert.equal((await transport.health()).up, false), 5_000, 50);
    } finally {
      await transport.close();
      client.disconnect();
      await server.stop();
    }
  });
});
