import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { ownRedis } from './redis-streams.spec-helper.js';

function fieldsOf(raw: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i]!, raw[i + 1]!);
  return fields;
}

describe('Redis Streams transport: an entry whose headers are not JSON', () => {
  const redis = ownRedis();

  const setup = () => {
    const keyPrefix = `bad${uniqueSuffix()}`;
    const client = redis.client();
    const transport = redis.transport({ keyPrefix, instanceId: 'bad', blockMs: 100 });
    return { keyPrefix, client, transport };
  };

  it('as a request is answered MALFORMED_MESSAGE and acked', async () => {
    const { keyPrefix, client, transport } = setup();
    const type = 'bad.cmd';
    const key = `${keyPrefix}:rs:req:{${type}}`;
    await transport.serve(type, async () => ({ ok: true, result: 1 }), { group: 'svc' });
    const replyTo = `${keyPrefix}:rs:reply:{raw}`;
    await client.xadd(key, '*', 'h', '{not json', 'b', '{}', 'r', replyTo, 't', 'token-1');
    const reply = await eventually(
      async () => {
        const entries = await client.xrange(replyTo, '-', '+');
        assert.equal(entries.length, 1);
        return fieldsOf(entries[0]![1]);
      },
      5_000,
      20,
    );
    assert.equal(reply.get('t'), 'token-1');
    assert.equal((JSON.parse(reply.get('p')!) as { error: { code: string } }).error.code, 'MALFORMED_MESSAGE');
    await eventually(async () => assert.equal(((await client.xpending(key, 'svc')) as [number])[0], 0), 5_000, 20);
  });

  it('as an event is dead-lettered and acked', async () => {
    const { keyPrefix, client, transport } = setup();
    const type = 'bad.evt';
    const key = `${keyPrefix}:rs:evt:{${type}}`;
    await transport.subscribe(type, async () => undefined, { group: 'g' });
    await client.xadd(key, '*', 'h', '[1', 'b', '{}');
    const dead = await eventually(
      async () => {
        const entries = await client.xrange(`${keyPrefix}:rs:dlq`, '-', '+');
        assert.equal(entries.length, 1);
        return fieldsOf(entries[0]![1]);
      },
      5_000,
      20,
    );
    assert.equal(dead.get('b'), '{}');
    await eventually(async () => assert.equal(((await client.xpending(key, 'g')) as [number])[0], 0), 5_000, 20);
  });
});
