import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedMessageError } from '../errors/catga-errors.js';
import { decodeEnvelope, MAX_BODY_DEPTH } from './envelope.codec.js';

describe('envelope codec, a body nested too deep', () => {
  it('is MALFORMED_MESSAGE before it is parsed, and a body at the limit is read', () => {
    const headers = new Map([
      ['Catga-Message-Id', 'deep-1'],
      ['Catga-Type', 'deep.type'],
      ['Catga-Kind', 'command'],
    ]);
    const nested = (levels: number) => new TextEncoder().encode('['.repeat(levels) + ']'.repeat(levels));
    const options = { maxBodyBytes: 1024 * 1024 };
    assert.throws(
      () => decodeEnvelope(headers, nested(10_000), options),
      (e: unknown) => e instanceof MalformedMessageError && e.messageId === 'deep-1',
    );
    assert.throws(() => decodeEnvelope(headers, nested(MAX_BODY_DEPTH + 1), options), MalformedMessageError);
    assert.ok(decodeEnvelope(headers, nested(MAX_BODY_DEPTH), options));
    const inAString = new TextEncoder().encode(JSON.stringify({ text: '['.repeat(1_000) }));
    assert.ok(decodeEnvelope(headers, inAString, options));
  });
});
