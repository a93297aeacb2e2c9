import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventually } from '../conformance/eventually.js';
import { transportConformance } from '../conformance/transport.conformance.js';
import { MalformedMessageError } from '../errors/catga-errors.js';
import { InMemoryBroker } from './in-memory.broker.js';
import { InMemoryDeadLetters } from './in-memory.dead-letters.js';
import { InMemoryTransport } from './in-memory.transport.js';

transportConformance('in-memory', async () => {
  const broker = new InMemoryBroker();
  return {
    createPeer: async () => new InMemoryTransport({ broker, redeliveryDelayMs: 10 }),
    dispose: async () => undefined,
  };
});

describe('in-memory transport, poison events', () => {
  it('keeps no reference to the event it dead-lettered, so a poison message cannot grow the embedded default', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const transport = new InMemoryTransport({ broker: new InMemoryBroker(), redeliveryDelayMs: 1 });
    let deadLettered = 0;
    transport.observe({ emit: (kind) => void (kind === 'deadLettered' && deadLettered++) });
    await transport.subscribe('poison', async () => Promise.reject(new Error('never handled')), { group: 'g', maxDeliveries: 2 });
    let body: WeakRef<object> | undefined;
    await (async () => {
      const payload = { big: 'x'.repeat(1_000_000) };
      body = new WeakRef(payload);
      await transport.publish({
        id: 'p-1',
        type: 'poison',
        kind: 'event',
        correlationId: 'p-1',
        causationId: undefined,
        timestamp: Date.now(),
        headers: {},
        body: payload,
      });
    })();
    await eventually(() => assert.equal(deadLettered, 1));
    await eventually(() => {
      gc();
      assert.equal(body!.deref(), undefined, 'the dead-lettered event is still referenced');
    });
    await transport.close();
  });
});

describe('in-memory dead letters', () => {
  it('are kept as they travel, within a bound of count and bytes: the oldest go first', async () => {
    const archive = new InMemoryDeadLetters({ count: 3, bytes: 1_000 });
    const record = (id: string, body: string) => {
      const headers = new Map([
        ['Catga-Message-Id', id],
        ['Catga-Type', 'bounded'],
        ['Catga-Dead-Group', 'g'],
      ]);
      return archive.add(headers, new TextEncoder().encode(JSON.stringify(body)));
    };
    const ids = ['a', 'b', 'c', 'd'].map((id) => record(id, id).id);
    assert.deepEqual(
      (await archive.list()).map((d) => d.envelope.id),
      ['b', 'c', 'd'],
      'past the count, the oldest went',
    );
    assert.equal(await archive.get(ids[0]!), undefined);
    record('big', 'x'.repeat(900));
    assert.deepEqual(
      (await archive.list()).map((d) => d.envelope.id),
      ['big'],
      'past the bytes, the oldest went until it fits',
    );
  });
});

describe('in-memory transport, an event with a long string that is never handled', () => {
  it('reaches the dead-letter listeners whole', async () => {
    const transport = new InMemoryTransport({ broker: new InMemoryBroker(), redeliveryDelayMs: 1 });
    const seen: unknown[] = [];
    await transport.subscribeDeadLetters(async (d) => void seen.push(d.envelope.body));
    await transport.subscribe('long', async () => Promise.reject(new Error('never handled')), { group: 'g', maxDeliveries: 1 });
    const body = { note: 'x'.repeat(100_000) };
    await transport.publish({
      id: 'l-1',
      type: 'long',
      kind: 'event',
      correlationId: 'l-1',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body,
    });
    await eventually(() => assert.deepEqual(seen, [body]));
    await transport.close();
  });
});

describe('in-memory transport, an event nested past MAX_BODY_DEPTH', () => {
  it('is refused when published, as a networked transport refuses it: nothing is delivered or dead-lettered', async () => {
    const transport = new InMemoryTransport({ broker: new InMemoryBroker(), redeliveryDelayMs: 1 });
    const seen: Array<{ id: string; code: string }> = [];
    const handled: unknown[] = [];
    await transport.subscribeDeadLetters(async (d) => void seen.push({ id: d.envelope.id, code: d.error.code }));
    await transport.subscribe('deep', async (e) => void handled.push(e), { group: 'g', maxDeliveries: 1 });
    let body: unknown = 1;
    for (let i = 0; i < 100; i++) body = { inner: body };
    const published = transport.publish({
      id: 'd-1',
      type: 'deep',
      kind: 'event',
      correlationId: 'd-1',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body,
    });
    await assert.rejects(published, MalformedMessageError);
    await transport.publish({
      id: 'd-2',
      type: 'deep',
      kind: 'event',
      correlationId: 'd-2',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: { inner: 1 },
    });
    await eventually(() => assert.equal(handled.length, 1));
    assert.deepEqual(seen, []);
    await transport.close();
  });
});
