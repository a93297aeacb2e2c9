import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Envelope, newMessageId } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { ownRedis } from './redis-streams.spec-helper.js';

describe('Redis Streams transport: the size of a reply', () => {
  const redis = ownRedis();

  it('a reply larger than maxPayloadBytes comes back as a PAYLOAD_TOO_LARGE error', async () => {
    const keyPrefix = `size${uniqueSuffix()}`;
    const peer = (instanceId: string) => {
      return redis.transport({ keyPrefix, instanceId, blockMs: 200, maxPayloadBytes: 1024 });
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
