import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedMessageError } from '../errors/catga-errors.js';
import { encodeValue, restoreValue } from './value.codec.js';

const roundTrip = (value: unknown): unknown => {
  const { json, marks } = encodeValue(value);
  return restoreValue(JSON.parse(json), marks === undefined ? undefined : JSON.parse(JSON.stringify(marks)));
};

describe('value codec', () => {
  it('plain JSON values travel as JSON.stringify writes them, with no marks', () => {
    const value = { a: 1, b: 'x', c: [true, null, { d: 2.5 }], e: { f: [] } };
    const encoded = encodeValue(value);
    assert.equal(encoded.json, JSON.stringify(value));
    assert.equal(encoded.marks, undefined);
    assert.equal(encodeValue(undefined).json, 'null');
  });

  it('Date, BigInt, Map, Set, undefined in arrays and non-finite numbers come back as themselves', () => {
    const at = new Date('2026-12-01T10:00:00.000Z');
    const value = {
      at,
      big: 12345678901234567890n,
      byId: new Map<string, unknown>([
        ['a', { since: at }],
        ['b', 2],
      ]),
      tags: new Set(['x', 'y']),
      sparse: [1, undefined, 3],
      ratio: NaN,
      limit: -Infinity,
      nested: [{ when: at }],
    };
    const back = roundTrip(value) as typeof value;
    assert.ok(back.at instanceof Date);
    assert.equal(back.at.getTime(), at.getTime());
    assert.equal(back.big, 12345678901234567890n);
    assert.ok(back.byId instanceof Map);
    assert.ok((back.byId.get('a') as { since: Date }).since instanceof Date);
    assert.equal(back.byId.get('b'), 2);
    assert.deepEqual(back.tags, new Set(['x', 'y']));
    assert.deepEqual(back.sparse, [1, undefined, 3]);
    assert.ok(Number.isNaN(back.ratio));
    assert.equal(back.limit, -Infinity);
    assert.ok(back.nested[0]!.when instanceof Date);
    assert.deepEqual(back, value);
    const invalid = roundTrip({ d: new Date(NaN) }) as { d: Date };
    assert.ok(invalid.d instanceof Date && Number.isNaN(invalid.d.getTime()));
  });

  it('the JSON part stays readable by any client: ISO dates, decimal strings, arrays', () => {
    const { json } = encodeValue({ at: new Date('2026-12-01T10:00:00.000Z'), big: 7n, tags: new Set([1]) });
    assert.deepEqual(JSON.parse(json), { at: '2026-12-01T10:00:00.000Z', big: '7', tags: [1] });
  });

  it('a root value and a class instance: the root is restored, an instance travels as its fields', () => {
    assert.ok(roundTrip(new Date(0)) instanceof Date);
    class Money {
      constructor(
        readonly amount: number,
        readonly at: Date,
      ) {}
    }
    const back = roundTrip(new Money(5, new Date(0))) as { amount: number; at: Date };
    assert.ok(!(back instanceof Money));
    assert.equal(back.amount, 5);
    assert.ok(back.at instanceof Date);
  });

  it('a cycle is refused as JSON refuses it', () => {
    const cycle: Record<string, unknown> = { at: new Date() };
    cycle.self = cycle;
    assert.throws(() => encodeValue(cycle), TypeError);
    // Without a value to mark, and branching back on itself: refused at once, not walked forever.
    const branching: Record<string, unknown> = { n: 1 };
    for (const key of ['a', 'b', 'c', 'd']) branching[key] = branching;
    assert.throws(() => encodeValue(branching), TypeError);
  });

  it("a peer's marks that do not fit the value are MALFORMED_MESSAGE, never a crash or a prototype change", () => {
    const cases: unknown[] = [
      'not an array',
      [[['missing'], 'Date']],
      [[['a'], 'Date']],
      [[['a'], 'Evil']],
      [[['__proto__'], 'Set']],
      [[['n'], 'BigInt']],
      [['a', 'Date']],
    ];
    for (const marks of cases) {
      assert.throws(() => restoreValue({ a: 'not a date', n: '1.5' }, marks), MalformedMessageError, JSON.stringify(marks));
    }
    const polluted = restoreValue(JSON.parse('{"__proto__":[1]}'), [[['__proto__'], 'Set']]) as Record<string, unknown>;
    assert.ok(Object.getOwnPropertyDescriptor(polluted, '__proto__')?.value instanceof Set);
    assert.equal(({} as { size?: number }).size, undefined);
  });
});
