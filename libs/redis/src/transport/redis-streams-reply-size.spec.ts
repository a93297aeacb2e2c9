import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Envelope, newMessageId } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

describe('Redis Streams transport: the size of a reply', () => {
  let server: RedisServerHandle;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server?.stop();
  });

  it('a reply larger than maxPayloadBytes comes back as a PAYLOAD_TOO_LARGE error', async () => {
    const keyPrefix = `size${uniqueSuffix()}`;
    const peer = (instanceId: string) => {
      const client = new Redis(server.url);
      clients.push(client);
      return new RedisStreamsTransport({ client, keyPrefix, instanceId, blockMs: 200, maxPayloadBytes: 1024 });
    };
    const [handler, caller] = [peer('handler'), peer('caller')];
    const type = 'size.query';
    await handler.serve(type, async () => ({ ok: true, result: 'x'.repeat(4096) }), { group: 'svc' });
    const id = newMessageId();
    const sent: Envelope = {
      id,
      type,
      kind: 'query',
      correlationId: id,
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: {},
    };
    const reply = await caller.request(sent, { timeoutMs: 5_000 });
    await Promise.all([handler.close(), caller.close()]);
    assert.equal(reply.ok, false);
    if (reply.ok) return;
    assert.equal(reply.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(reply.error.retryable, false);
    assert.equal(reply.error.messageId, id);
  });
});
