import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedMessageError, ValidationFailedError } from '../errors/catga-errors.js';
import { decodeEnvelope } from '../wire/envelope.codec.js';
import { WireHeader } from '../wire/wire-headers.js';
import { createEnvelope } from './envelope.factory.js';
import { MAX_ID_LENGTH } from './message-id.js';

describe('message and correlation ids', () => {
  it('an id a caller gives is refused where it enters when too long or not printable ASCII', () => {
    for (const messageId of ['x'.repeat(40_000), 'x'.repeat(MAX_ID_LENGTH + 1), '', 'a\r\nb', 'ü']) {
      assert.throws(
        () => createEnvelope({}, 't', 'command', { messageId }, undefined),
        ValidationFailedError,
        JSON.stringify(messageId.slice(0, 20)),
      );
    }
    assert.throws(() => createEnvelope({}, 't', 'command', { correlationId: 'c'.repeat(40_000) }, undefined), ValidationFailedError);
    assert.equal(createEnvelope({}, 't', 'command', { messageId: 'place-order:' + 'k'.repeat(200) }, undefined).id.length, 212);
  });

  it('an id read from the wire is MALFORMED_MESSAGE when too long', () => {
    const headers = (id: string, correlationId?: string) =>
      new Map([
        [WireHeader.messageId, id],
        [WireHeader.type, 't'],
        [WireHeader.kind, 'command'],
        ...(correlationId ? [[WireHeader.correlationId, correlationId] as [string, string]] : []),
      ]);
    const body = new TextEncoder().encode('{}');
    assert.throws(() => decodeEnvelope(headers('x'.repeat(40_000)), body, { maxBodyBytes: 1024 }), MalformedMessageError);
    assert.throws(() => decodeEnvelope(headers('ok', 'c'.repeat(40_000)), body, { maxBodyBytes: 1024 }), MalformedMessageError);
    assert.equal(decodeEnvelope(headers('ok', 'corr'), body, { maxBodyBytes: 1024 }).correlationId, 'corr');
  });
});
