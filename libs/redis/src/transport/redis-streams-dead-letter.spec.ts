import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Envelope, newMessageId, ValidationFailedError } from '@catga/core';
import { WireHeader } from '@catga/core/transport';

import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { ownRedis } from './redis-streams.spec-helper.js';

describe('Redis Streams transport: a dead-letter entry', () => {
  const redis = ownRedis();

  it('keeps the event body in b and its headers plus the Catga-Dead headers in h', async () => {
    const keyPrefix = `dlq${uniqueSuffix()}`;
    const client = redis.client();
    const transport = redis.transport({ keyPrefix, instanceId: 'dlq', blockMs: 200 });
    const type = 'dlq.evt';
    await transport.subscribe(type, async () => Promise.reject(new ValidationFailedError('never valid')), { group: 'g', maxDeliveries: 1 });
    const id = newMessageId();
    const sent: Envelope = {
      id,
      type,
      kind: 'event',
      correlationId: id,
      causationId: undefined,
      timestamp: Date.now(),
      headers: { tenant: 'acme' },
      body: { n: 1 },
    };
    await transport.publish(sent);
    const entries = await eventually(
      async () => {
        const read = await client.xrange(`${keyPrefix}:rs:dlq`, '-', '+');
        assert.equal(read.length, 1);
        return read;
      },
      10_000,
      20,
    );
    await transport.close();
    const fields = new Map<string, string>();
    const raw = entries[0]![1];
    for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i]!, raw[i + 1]!);
    assert.deepEqual(JSON.parse(fields.get('b')!), { n: 1 });
    const headers = JSON.parse(fields.get('h')!) as Record<string, string>;
    assert.equal(headers[WireHeader.messageId], id);
    assert.equal(headers[WireHeader.type], type);
    assert.equal(headers.tenant, 'acme');
    assert.equal(headers[WireHeader.deadGroup], 'g');
    assert.equal(headers[WireHeader.deadDeliveries], '1');
    assert.equal((JSON.parse(headers[WireHeader.deadError]!) as { code: string }).code, 'VALIDATION_FAILED');
    assert.ok(Number(headers[WireHeader.deadAt]) > 0);
  });
});
