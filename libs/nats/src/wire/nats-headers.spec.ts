import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MalformedMessageError } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { fromNatsHeaders, readHeaderBlock, readsRawHeaderBlocks, toNatsHeaders } from './nats-headers.js';

const encoder = new TextEncoder();

/** What nats.js's own parser makes of a block, in the shape fromNatsHeaders returns. */
function asNatsReadsIt(block: string): Map<string, string> {
  return fromNatsHeaders({ headers: MsgHdrsImpl.decode(encoder.encode(block)) });
}

const BLOCKS = [
  'NATS/1.0\r\nCatga-Message-Id: m-1\r\nCatga-Type: orders.placed\r\n\r\n',
  'NATS/1.0 503\r\n\r\n',
  'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 3\r\n\r\n',
  'NATS/1.0\r\ncatga-type: lower.case\r\nCATGA-MESSAGE-ID: upper\r\nx-tenant:   spaced value  \r\n\r\n',
  'NATS/1.0\r\nx-repeated: first\r\nx-repeated: second\r\n\r\n',
  'NATS/1.0\r\nno colon here\r\nx-after: kept\r\n\r\n',
  'NATS/1.0\r\nx-unicode: cinq cents € ✓\r\nx-empty:\r\nx-colons: a:b:c\r\n\r\n',
];

describe('NATS headers read from the raw block', () => {
  it('come out as nats.js reads them, Catga names in their canonical case', () => {
    for (const block of BLOCKS) assert.deepEqual(readHeaderBlock(encoder.encode(block)), asNatsReadsIt(block), JSON.stringify(block));
    assert.equal(readHeaderBlock(encoder.encode(BLOCKS[3]!)).get('Catga-Type'), 'lower.case');
  });

  it('a name nats.js would refuse is MALFORMED_MESSAGE', () => {
    assert.throws(() => readHeaderBlock(encoder.encode('NATS/1.0\r\nBad Name: v\r\n\r\n')), MalformedMessageError);
    assert.throws(
      () => MsgHdrsImpl.decode(encoder.encode('NATS/1.0\r\nBad Name: v\r\n\r\n')),
      /not a valid character/,
      'as nats.js refuses it',
    );
  });

  it('a value nats.js would refuse (a lone CR or LF inside it) is MALFORMED_MESSAGE; at its ends it is trimmed as nats.js trims it', () => {
    for (const block of ['NATS/1.0\r\nCatga-Message-Id: id\nX-Smuggled: 1\r\n\r\n', 'NATS/1.0\r\nx-a: a\rb\r\n\r\n']) {
      assert.throws(() => readHeaderBlock(encoder.encode(block)), MalformedMessageError, JSON.stringify(block));
      assert.throws(() => MsgHdrsImpl.decode(encoder.encode(block)), /cannot contain/, `as nats.js refuses ${JSON.stringify(block)}`);
    }
    const trimmed = 'NATS/1.0\r\nx-a: v\r\r\nx-b: \nw\r\n\r\n';
    assert.deepEqual(readHeaderBlock(encoder.encode(trimmed)), asNatsReadsIt(trimmed));
    assert.equal(readHeaderBlock(encoder.encode(trimmed)).get('x-b'), 'w');
  });

  it('headers to publish render the block nats.js renders; a name or value it refuses is refused by it', () => {
    const records: Array<Record<string, string>> = [
      { 'Catga-Message-Id': 'm-1', 'Catga-Type': 'orders.placed', 'Content-Type': 'application/json' },
      { traceparent: '00-ab-cd-01', 'x-padded': '  value  ', 'x-unicode': '€ ✓', 'x-empty': '' },
      {},
    ];
    for (const record of records) {
      const own = MsgHdrsImpl.decode(encoder.encode('NATS/1.0\r\n\r\n'));
      for (const [name, value] of Object.entries(record)) own.append(name, value);
      const rendered = toNatsHeaders(record) as unknown as { encode(): Uint8Array };
      assert.deepEqual(Buffer.from(rendered.encode()).toString(), Buffer.from(own.encode()).toString(), JSON.stringify(record));
      assert.deepEqual([...toNatsHeaders(record)], [...own]);
    }
    assert.throws(() => toNatsHeaders({ 'bad name': 'v' }), /not a valid character/);
    assert.throws(() => toNatsHeaders({ ok: 'line\nfeed' }), /cannot contain/);
  });

  describe('on messages received from a server', () => {
    let server: NatsServerHandle;
    let nc: NatsConnection;
    before(async () => {
      server = await startNatsServer();
      nc = await connect({ servers: server.url });
    });
    after(async () => {
      await nc?.close();
      await server?.stop();
    });

    it('this nats.js exposes the raw block, and what is read from it equals its own parse', async () => {
      const subject = `headers.${uniqueSuffix()}`;
      const received: Msg[] = [];
      const sub = nc.subscribe(subject, { max: 3, callback: (_e, m) => void received.push(m) });
      nc.publish(subject, '{}', { headers: toNatsHeaders({ 'Catga-Message-Id': 'm-1', 'Catga-Type': 't', traceparent: '00-ab-cd-01' }) });
      nc.publish(subject, '{}', { headers: toNatsHeaders({ 'x-unicode': 'π ≈ 3.14', 'catga-correlation-id': 'c' }) });
      nc.publish(subject, 'no headers');
      await sub.closed;
      for (const msg of received) {
        assert.ok(readsRawHeaderBlocks(msg), 'the raw header block is where it is read: a nats.js upgrade moved it');
        const fast = fromNatsHeaders(msg);
        const own = fromNatsHeaders({ headers: msg.headers });
        assert.deepEqual(fast, own);
      }
      assert.equal(fromNatsHeaders(received[0]!).get('traceparent'), '00-ab-cd-01');
      assert.equal(fromNatsHeaders(received[1]!).get('Catga-Correlation-Id'), 'c');
      assert.equal(fromNatsHeaders(received[2]!).size, 0);
    });

    it('a JetStream message is read through the message it wraps, as nats.js parses it', async () => {
      const name = `HEADERS_${uniqueSuffix()}`;
      const subject = `headers-js.${uniqueSuffix()}`;
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name, subjects: [subject], storage: StorageType.Memory });
      try {
        const js = jetstream(nc);
        await js.publish(subject, '{}', { headers: toNatsHeaders({ 'Catga-Message-Id': 'm-2', 'catga-type': 't', 'x-unicode': 'π' }) });
        await js.publish(subject, 'no headers');
        const consumer = await js.consumers.get(name);
        const first = await consumer.next();
        const second = await consumer.next();
        assert.ok(first && second);
        assert.ok(readsRawHeaderBlocks(first), 'a JetStream message still wraps the received one as `msg`');
        assert.deepEqual(fromNatsHeaders(first), fromNatsHeaders({ headers: first.headers }));
        assert.equal(fromNatsHeaders(first).get('Catga-Type'), 't');
        assert.equal(fromNatsHeaders(first).get('x-unicode'), 'π');
        assert.equal(fromNatsHeaders(second).size, 0);
      } finally {
        await jsm.streams.delete(name);
      }
    });
  });
});
