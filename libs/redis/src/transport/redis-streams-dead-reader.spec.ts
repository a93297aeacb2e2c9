import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Envelope, newMessageId } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { RedisStreamsTransport } from './redis-streams.transport.js';

describe('Redis Streams transport: a reader that dies holding an event', () => {
  let server: RedisServerHandle;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server?.stop();
  });

  it('its pending event is claimed by another reader after ackWaitMs and handled, delivery 2', async () => {
    const keyPrefix = `dead${uniqueSuffix()}`;
    const client = new Redis(server.url);
    clients.push(client);
    const survivor = new RedisStreamsTransport({ client, keyPrefix, instanceId: 'survivor', blockMs: 100, ackWaitMs: 300 });
    const type = 'dead.evt';
    const seen: Array<{ id: string; attempt: number }> = [];
    // The group exists before anything is published (the survivor's subscription creates it).
    const sub = await survivor.subscribe(type, async (env, d) => void seen.push({ id: env.id, attempt: d.attempt }), { group: 'g' });
    await sub.unsubscribe();
    const id = newMessageId();
    const envelope: Envelope = {
      id,
      type,
      kind: 'event',
      correlationId: id,
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: { n: 1 },
    };
    await survivor.publish(envelope);
    // A reader of the same group takes it and dies without acknowledging: a raw XREADGROUP.
    const dying = new Redis(server.url);
    clients.push(dying);
    const taken = (await dying.xreadgroup(
      'GROUP',
      'g',
      'dying-reader',
      'COUNT',
      1,
      'STREAMS',
      `${keyPrefix}:rs:evt:{${type}}`,
      '>',
    )) as unknown[];
    assert.ok(taken && taken.length === 1, 'the dying reader took the event');
    await survivor.subscribe(type, async (env, d) => void seen.push({ id: env.id, attempt: d.attempt }), { group: 'g' });
    await eventually(() => assert.deepEqual(seen, [{ id, attempt: 2 }]), 10_000, 50);
    await survivor.close();
  });
});
