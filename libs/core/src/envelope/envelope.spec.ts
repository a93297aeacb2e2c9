import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnvelope } from './envelope.factory.js';
import { newMessageId } from './message-id.js';

describe('envelope', () => {
  it('message ids are unique and sort in creation order', () => {
    const ids = Array.from({ length: 10_000 }, () => newMessageId());
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });

  it('a root message correlates with itself and has no causation', () => {
    const e = createEnvelope({ a: 1 }, 't', 'command', undefined, undefined);
    assert.equal(e.correlationId, e.id);
    assert.equal(e.causationId, undefined);
    assert.ok(Math.abs(e.timestamp - Date.now()) < 1000);
  });

  it('an explicit message id and headers are kept', () => {
    const e = createEnvelope({}, 't', 'event', { messageId: 'key-1', headers: { h: 'v' } }, undefined);
    assert.equal(e.id, 'key-1');
    assert.deepEqual(e.headers, { h: 'v' });
  });
});

describe('message id', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the creation time', () => {
    const before = Date.now();
    const id = newMessageId();
    const after = Date.now();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    assert.ok(ms >= before && ms <= after + 1, `${ms} not in [${before}, ${after}]`);
  });

  it('stays ordered and unique across many ids in one millisecond', () => {
    const ids = Array.from({ length: 200_000 }, () => newMessageId());
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} >= ${ids[i]}`);
  });
});
