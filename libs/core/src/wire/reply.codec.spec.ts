import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedMessageError } from '../errors/catga-errors.js';
import { decodeReply } from './reply.codec.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('reply codec, a reply from a hostile peer', () => {
  it('an error without a well-formed code, message or retryable flag is MALFORMED_MESSAGE', () => {
    const forged = [
      { code: 42, name: 'X', message: 'm', retryable: false },
      { code: '__proto__', name: 'X', message: 'm', retryable: false },
      { code: 'constructor', name: 'X', message: 'm', retryable: false },
      { code: 'OK', name: 'X', message: { toString: 1 }, retryable: false },
      { code: 'OK', name: 'X', message: 'm', retryable: 'yes' },
      'PAYMENT_DECLINED',
      null,
    ];
    for (const error of forged) assert.throws(() => decodeReply(bytes({ ok: false, error })), MalformedMessageError, JSON.stringify(error));
  });

  it('keeps only the known error fields, bounded', () => {
    const reply = decodeReply(
      bytes({ ok: false, error: { code: 'PAYMENT_DECLINED', name: '<b>x</b>', message: 'y'.repeat(10_000), retryable: false, extra: 1 } }),
    );
    assert.equal(reply.ok, false);
    if (reply.ok) return;
    assert.equal(reply.error.code, 'PAYMENT_DECLINED');
    assert.equal(reply.error.name, 'CatgaError');
    assert.equal(reply.error.message.length, 4_096);
    assert.equal('extra' in reply.error, false);
  });
});
