import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';
import { decodeEnvelope, encodeEnvelope, MAX_ARRAY_LENGTH, MAX_BODY_DEPTH, MAX_STRING_LENGTH } from './envelope.codec.js';

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

describe('envelope codec, array and string sizes', () => {
  const headers = new Map([
    ['Catga-Message-Id', 'size-1'],
    ['Catga-Type', 'size.type'],
    ['Catga-Kind', 'command'],
  ]);
  const options = { maxBodyBytes: 4 * 1024 * 1024 };
  const bytes = (json: string) => new TextEncoder().encode(json);
  const decode = (json: string) => decodeEnvelope(headers, bytes(json), options);
  const zeros = (n: number) => `[${new Array<string>(n).fill('0').join(',')}]`;
  const refusedFor = (what: 'array' | 'string') => (e: unknown) => {
    assert.ok(e instanceof PayloadTooLargeError, String(e));
    assert.equal(e.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(e.retryable, false);
    assert.equal(e.messageId, 'size-1');
    const limit = what === 'array' ? MAX_ARRAY_LENGTH : MAX_STRING_LENGTH;
    assert.deepEqual(e.details, { what, limit });
    assert.match(e.message, new RegExp(`size\\.type .*${what} of more than ${limit}`));
    return true;
  };

  it('an array of MAX_ARRAY_LENGTH elements is read, and one more element is PAYLOAD_TOO_LARGE', () => {
    assert.equal((decode(`{"items":${zeros(MAX_ARRAY_LENGTH)}}`).body as { items: number[] }).items.length, MAX_ARRAY_LENGTH);
    assert.throws(() => decode(`{"items":${zeros(MAX_ARRAY_LENGTH + 1)}}`), refusedFor('array'));
  });

  it('an array over the limit is refused before the body is parsed', () => {
    // Not JSON after the array: parsing first would have made it MALFORMED_MESSAGE.
    assert.throws(() => decode(`{"items":${zeros(MAX_ARRAY_LENGTH + 1)}} not json`), refusedFor('array'));
  });

  it('a megabyte of empty arrays in one array is refused', () => {
    assert.throws(() => decode(`{"items":[${new Array<string>(150_000).fill('[]').join(',')}]}`), refusedFor('array'));
  });

  it('nested arrays are each counted on their own, and commas of objects and strings are not counted', () => {
    assert.ok(decode(`[${zeros(MAX_ARRAY_LENGTH)},${zeros(MAX_ARRAY_LENGTH)}]`));
    assert.throws(() => decode(`[${zeros(MAX_ARRAY_LENGTH)},${zeros(MAX_ARRAY_LENGTH + 1)}]`), refusedFor('array'));
    assert.throws(() => decode(`[[${zeros(MAX_ARRAY_LENGTH + 1)}]]`), refusedFor('array'));
    const manyKeys = JSON.stringify(Object.fromEntries(Array.from({ length: 3 * MAX_ARRAY_LENGTH }, (_, i) => [`k${i}`, i])));
    assert.ok(decode(`[${manyKeys}]`));
    const wideObjects = JSON.stringify(Array.from({ length: MAX_ARRAY_LENGTH }, () => ({ a: 1, b: [1, 2], c: 'x,y' })));
    assert.ok(decode(wideObjects));
    assert.ok(decode(JSON.stringify([','.repeat(3 * MAX_ARRAY_LENGTH)])));
  });

  it('a string of MAX_STRING_LENGTH bytes is read, and one more byte is PAYLOAD_TOO_LARGE, for values and keys', () => {
    assert.ok(decode(JSON.stringify({ text: 'x'.repeat(MAX_STRING_LENGTH) })));
    assert.throws(() => decode(JSON.stringify({ text: 'x'.repeat(MAX_STRING_LENGTH + 1) })), refusedFor('string'));
    assert.ok(decode(JSON.stringify({ ['k'.repeat(MAX_STRING_LENGTH)]: 1 })));
    assert.throws(() => decode(JSON.stringify({ ['k'.repeat(MAX_STRING_LENGTH + 1)]: 1 })), refusedFor('string'));
  });

  it('multibyte UTF-8 is counted in bytes, not characters', () => {
    assert.ok(decode(JSON.stringify({ text: 'é'.repeat(MAX_STRING_LENGTH / 2) })));
    assert.throws(() => decode(JSON.stringify({ text: 'é'.repeat(MAX_STRING_LENGTH / 2 + 1) })), refusedFor('string'));
    assert.ok(decode(JSON.stringify({ text: '😀'.repeat(MAX_STRING_LENGTH / 4) })));
    assert.throws(() => decode(JSON.stringify({ text: '😀'.repeat(MAX_STRING_LENGTH / 4) + 'x' })), refusedFor('string'));
  });

  it('escapes count as the bytes they stand for', () => {
    // `\"` is one byte of the string, `\u00e9` two, a `\ud83d\ude00` pair four.
    assert.ok(decode(JSON.stringify({ text: '"'.repeat(MAX_STRING_LENGTH) })));
    assert.throws(() => decode(JSON.stringify({ text: '"'.repeat(MAX_STRING_LENGTH + 1) })), refusedFor('string'));
    const escapedE = (n: number) => `{"text":"${'\\u00e9'.repeat(n)}"}`;
    assert.equal((decode(escapedE(MAX_STRING_LENGTH / 2)).body as { text: string }).text, 'é'.repeat(MAX_STRING_LENGTH / 2));
    assert.throws(() => decode(escapedE(MAX_STRING_LENGTH / 2 + 1)), refusedFor('string'));
    const escapedPairs = (n: number) => `{"text":"${'\\ud83d\\ude00'.repeat(n)}"}`;
    assert.ok(decode(escapedPairs(MAX_STRING_LENGTH / 4)));
    assert.throws(() => decode(escapedPairs(MAX_STRING_LENGTH / 4 + 1)), refusedFor('string'));
  });

  it('an escaped quote does not end a string, and an escaped backslash before a quote does', () => {
    // Brackets and commas inside the string are text; the array after `\\"` is counted.
    assert.ok(decode(JSON.stringify({ text: '\\",['.repeat(MAX_ARRAY_LENGTH + 1), n: [1] })));
    assert.ok(decode(JSON.stringify({ text: `"${'['.repeat(MAX_BODY_DEPTH + 1)}` })));
    assert.throws(() => decode(`{"a":"\\\\","items":${zeros(MAX_ARRAY_LENGTH + 1)}}`), refusedFor('array'));
    assert.throws(() => decode(`{"a":"x\\"","items":"${'x'.repeat(MAX_STRING_LENGTH + 1)}"}`), refusedFor('string'));
  });
});

describe('encodeEnvelope, what a receiver would refuse', () => {
  const envelope = (body: unknown) => ({
    id: 'm-1',
    type: 'limits.send',
    kind: 'event' as const,
    correlationId: 'm-1',
    causationId: undefined,
    timestamp: 1,
    headers: {},
    body,
  });

  it('refuses an array over MAX_ARRAY_LENGTH and a string over MAX_STRING_LENGTH before sending', () => {
    assert.throws(
      () => encodeEnvelope(envelope({ items: new Array(MAX_ARRAY_LENGTH + 1).fill(0) }), 1 << 20),
      (e: unknown) => e instanceof PayloadTooLargeError && (e.details as { what: string }).what === 'array',
    );
    assert.throws(
      () => encodeEnvelope(envelope({ note: 'x'.repeat(MAX_STRING_LENGTH + 1) }), 1 << 20),
      (e: unknown) => e instanceof PayloadTooLargeError && (e.details as { what: string }).what === 'string',
    );
    assert.doesNotThrow(() => encodeEnvelope(envelope({ items: new Array(MAX_ARRAY_LENGTH).fill(0) }), 1 << 20));
  });
});
