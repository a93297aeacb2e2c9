import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandlerNotFoundError, TimeoutError } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import type { RedisServerHandle } from '@catga/testing';
import { RedisStreamsTransport } from './redis-streams.transport.js';
import { ownRedis, testEnvelope } from './redis-streams.spec-helper.js';

/** `XINFO GROUPS` calls since the last `CONFIG RESETSTAT`, from `INFO commandstats`. */
async function xinfoGroupsCalls(server: RedisServerHandle): Promise<number> {
  const stats = await server.info('commandstats');
  const line = stats['cmdstat_xinfo|groups'] ?? stats['cmdstat_xinfo'] ?? 'calls=0';
  return Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

describe('Redis Streams transport: finding who serves a request', () => {
  const redis = ownRedis();

  const peer = (keyPrefix: string, instanceId: string): RedisStreamsTransport => {
    const transport = redis.transport({ keyPrefix, instanceId, blockMs: 200 });
    return transport;
  };

  it('twenty requests for a served type look its group up at most once', async () => {
    const keyPrefix = `lookup${uniqueSuffix()}`;
    const [handler, caller] = [peer(keyPrefix, 'handler'), peer(keyPrefix, 'caller')];
    const type = 'lookup.cmd';
    await handler.serve(type, async () => ({ ok: true, result: 1 }), { group: 'svc' });
    await redis.server.command(['CONFIG', 'RESETSTAT']);
    for (let i = 0; i < 20; i++)
      assert.deepEqual(await caller.request(testEnvelope(type, 'command'), { timeoutMs: 5_000 }), { ok: true, result: 1 });
    const calls = await xinfoGroupsCalls(redis.server);
    assert.ok(calls <= 1, `20 requests made ${calls} XINFO GROUPS calls`);
  });

  it('after a request times out the next one looks again, so a deleted stream is HANDLER_NOT_FOUND', async () => {
    const keyPrefix = `lookup${uniqueSuffix()}`;
    const [handler, caller] = [peer(keyPrefix, 'handler'), peer(keyPrefix, 'caller')];
    const type = 'lookup.gone';
    await handler.serve(type, async () => ({ ok: true, result: 1 }), { group: 'svc' });
    assert.deepEqual(await caller.request(testEnvelope(type, 'command'), { timeoutMs: 5_000 }), { ok: true, result: 1 });
    await handler.close();
    await redis.server.command(['DEL', `${keyPrefix}:rs:req:{${type}}`]);
    await assert.rejects(caller.request(testEnvelope(type, 'command'), { timeoutMs: 200 }), TimeoutError);
    await assert.rejects(caller.request(testEnvelope(type, 'command'), { timeoutMs: 5_000 }), HandlerNotFoundError);
  });
});
