import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Envelope, HandlerNotFoundError, newMessageId, TimeoutError } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

function command(type: string): Envelope {
  const id = newMessageId();
  return { id, type, kind: 'command', correlationId: id, causationId: undefined, timestamp: Date.now(), headers: {}, body: {} };
}

/** `XINFO GROUPS` calls since the last `CONFIG RESETSTAT`, from `INFO commandstats`. */
async function xinfoGroupsCalls(server: RedisServerHandle): Promise<number> {
  const stats = await server.info('commandstats');
  const line = stats['cmdstat_xinfo|groups'] ?? stats['cmdstat_xinfo'] ?? 'calls=0';
  return Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

describe('Redis Streams transport: finding who serves a request', () => {
  let server: RedisServerHandle;
  const clients: Redis[] = [];
  const transports: RedisStreamsTransport[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server?.stop();
  });

  const peer = (keyPrefix: string, instanceId: string): RedisStreamsTransport => {
    const client = new Redis(server.url);
    clients.push(client);
    const transport = new RedisStreamsTransport({ client, keyPrefix, instanceId, blockMs: 200 });
    transports.push(transport);
    return transport;
  };

  it('twenty requests for a served type look its group up at most once', async () => {
    const keyPrefix = `lookup${uniqueSuffix()}`;
    const [handler, caller] = [peer(keyPrefix, 'handler'), peer(keyPrefix, 'caller')];
    const type = 'lookup.cmd';
    await handler.serve(type, async () => ({ ok: true, result: 1 }), { group: 'svc' });
    await server.command(['CONFIG', 'RESETSTAT']);
    for (let i = 0; i < 20; i++) assert.deepEqual(await caller.request(command(type), { timeoutMs: 5_000 }), { ok: true, result: 1 });
    const calls = await xinfoGroupsCalls(server);
    assert.ok(calls <= 1, `20 requests made ${calls} XINFO GROUPS calls`);
  });

  it('after a request times out the next one looks again, so a deleted stream is HANDLER_NOT_FOUND', async () => {
    const keyPrefix = `lookup${uniqueSuffix()}`;
    const [handler, caller] = [peer(keyPrefix, 'handler'), peer(keyPrefix, 'caller')];
    const type = 'lookup.gone';
    await handler.serve(type, async () => ({ ok: true, result: 1 }), { group: 'svc' });
    assert.deepEqual(await caller.request(command(type), { timeoutMs: 5_000 }), { ok: true, result: 1 });
    await handler.close();
    await server.command(['DEL', `${keyPrefix}:rs:req:{${type}}`]);
    await assert.rejects(caller.request(command(type), { timeoutMs: 200 }), TimeoutError);
    await assert.rejects(caller.request(command(type), { timeoutMs: 5_000 }), HandlerNotFoundError);
  });
});
