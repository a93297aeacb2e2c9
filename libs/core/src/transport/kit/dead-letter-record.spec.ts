import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ARRAY_LENGTH, MAX_STRING_LENGTH } from '../../wire/envelope.codec.js';
import { deadLetterRecord, readDeadLetter } from './dead-letter-record.js';

describe('dead-letter record', () => {
  it('a dead letter whose body has an array and a string over the body limits is read back whole', () => {
    const body = { items: new Array<number>(MAX_ARRAY_LENGTH + 1).fill(0), note: 'x'.repeat(MAX_STRING_LENGTH + 1) };
    const headers = { 'Catga-Message-Id': 'dl-1', 'Catga-Type': 'dl.type', 'Catga-Kind': 'event' };
    const record = deadLetterRecord(Object.entries(headers), { type: 'dl.type', group: 'g', deliveries: 1, error: new Error('x') });
    const read = readDeadLetter(new Map(Object.entries(record.headers)), new TextEncoder().encode(JSON.stringify(body)));
    assert.equal(read.envelope.id, 'dl-1');
    assert.deepEqual(read.envelope.body, body);
  });
});
