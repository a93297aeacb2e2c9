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
