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

  it('an event whose readers died on each of its maxDeliveries deliveries is dead-lettered without another handling', async () => {
    const keyPrefix = `dead${uniqueSuffix()}`;
    const client = new Redis(server.url);
    clients.push(client);
    const survivor = new RedisStreamsTransport({ client, keyPrefix, instanceId: 'survivor', blockMs: 100, ackWaitMs: 300 });
    const type = 'dead.poison';
    const key = `${keyPrefix}:rs:evt:{${type}}`;
    const handled: number[] = [];
    const handler = async (_env: Envelope, d: { attempt: number }) => void handled.push(d.attempt);
    const sub = await survivor.subscribe(type, handler, { group: 'g', maxDeliveries: 2 });
    await sub.unsubscribe();
    const id = newMessageId();
    await survivor.publish({
      id,
      type,
      kind: 'event',
      correlationId: id,
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: {},
    });
    // Taken by a reader that died, and by another that died too: delivered twice, idle long since.
    const dying = new Redis(server.url);
    clients.push(dying);
    const [[, [[entryId]]]] = (await dying.xreadgroup('GROUP', 'g', 'dying-reader', 'COUNT', 1, 'STREAMS', key, '>')) as [
      [string, [[string, string[]]]],
    ];
    await dying.call('XCLAIM', key, 'g', 'dying-again', '0', entryId!, 'IDLE', '60000', 'RETRYCOUNT', '2', 'JUSTID');
    const dead: Array<{ deliveries: number; code: string }> = [];
    await survivor.subscribeDeadLetters(async (d) => void dead.push({ deliveries: d.deliveries, code: d.error.code }));
    await survivor.subscribe(type, handler, { group: 'g', maxDeliveries: 2 });
    await eventually(() => assert.deepEqual(dead, [{ deliveries: 3, code: 'HANDLER_FAILED' }]), 10_000, 50);
    assert.deepEqual(handled, []);
    await survivor.close();
  });
});
