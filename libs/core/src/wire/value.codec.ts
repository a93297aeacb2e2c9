import { MalformedMessageError } from '../errors/catga-errors.js';

/**
 * The values plain JSON would change, and what each becomes on the wire: a `Date` its ISO string
 * (`null` when invalid), a `BigInt` its decimal string, a `Map` an array of `[key, value]` pairs, a
 * `Set` an array of its values, `undefined` in an array `null`, `NaN` and `±Infinity` their names.
 */
export type ValueTag = 'Date' | 'BigInt' | 'Map' | 'Set' | 'undefined' | 'Number';

/** Where a value was changed (keys and indices from the root) and what it was. */
export type ValueMark = [path: Array<string | number>, tag: ValueTag];

/** A value as JSON text, with the marks that restore what JSON alone would change (none for most values). */
export interface EncodedValue {
  readonly json: string;
  readonly marks: ValueMark[] | undefined;
}

const TAGS: ReadonlySet<string> = new Set<ValueTag>(['Date', 'BigInt', 'Map', 'Set', 'undefined', 'Number']);
/** More marks than this in one value is refused on arrival (each costs a walk down its path). */
export const MAX_VALUE_MARKS = 10_000;
const MAX_PATH_LENGTH = 64;

/**
 * Encodes a body or a result: plain JSON, readable by any client, plus marks for the values JSON
 * would change, so a Catga receiver rebuilds them. A value with none of them costs one scan and
 * `JSON.stringify`.
 */
export function encodeValue(value: unknown): EncodedValue {
  if (!needsMarks(value, [])) return { json: JSON.stringify(value ?? null), marks: undefined };
  const marks: ValueMark[] = [];
  const plain = toPlain(value, [], marks, new Set());
  return { json: JSON.stringify(plain ?? null), marks: marks.length > 0 ? marks : undefined };
}

/**
 * Puts back what the marks say on a parsed value (in place where it can). Marks from a peer are
 * checked: an unknown tag, a path that leads nowhere or a value of the wrong shape is
 * `MALFORMED_MESSAGE`.
 */
export function restoreValue(value: unknown, marks: unknown, what = 'value'): unknown {
  if (marks === undefined || marks === null) return value;
  if (!Array.isArray(marks) || marks.length > MAX_VALUE_MARKS) throw malformed(what, 'marks must be an array of at most 10000');
  let root = value;
  // Marks are listed children first, so a Map's entries are restored before the Map is built.
  for (const mark of marks) {
    if (!Array.isArray(mark) || mark.length !== 2 || !Array.isArray(mark[0]) || typeof mark[1] !== 'string' || !TAGS.has(mark[1]))
      throw malformed(what, 'a mark is not [path, tag]');
    const path = mark[0] as unknown[];
    if (
      path.length > MAX_PATH_LENGTH ||
      !path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0))
    )
      throw malformed(what, 'a mark has an invalid path');
    const tag = mark[1] as ValueTag;
    if (path.length === 0) {
      root = revive(root, tag, what);
      continue;
    }
    let holder: unknown = root;
    for (const key of path.slice(0, -1)) holder = child(holder, key as string | number, what);
    const last = path[path.length - 1] as string | number;
    const current = child(holder, last, what);
    setChild(holder, last, revive(current, tag, what));
  }
  return root;
}

/** Parses marks carried as text (a header); absent is none. */
export function parseMarks(text: string | undefined, what: string): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(what, 'marks are not JSON');
  }
}

/**
 * Whether anything in the value needs a mark: one walk, the objects on the way down kept in an
 * array (values are shallow, so a scan of it is cheaper than a set): a cycle is left to
 * `JSON.stringify`, which names it.
 */
function needsMarks(value: unknown, stack: object[]): boolean {
  switch (typeof value) {
    case 'bigint':
      return true;
    case 'number':
      return !Number.isFinite(value);
    case 'object': {
      if (value === null) return false;
      if (value instanceof Date || value instanceof Map || value instanceof Set) return true;
      // JSON calls toJSON (a Buffer, a decimal type): its result is the value, taken as it is.
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      if (stack.includes(value)) return false;
      stack.push(value);
      let found = false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && !found; i++) {
          const item: unknown = value[i];
          found = item === undefined || needsMarks(item, stack);
        }
      } else {
        for (const key in value) {
          if (Object.prototype.hasOwnProperty.call(value, key) && needsMarks((value as Record<string, unknown>)[key], stack)) {
            found = true;
            break;
          }
        }
      }
      stack.pop();
      return found;
    }
    default:
      return false;
  }
}

function toPlain(value: unknown, path: Array<string | number>, marks: ValueMark[], stack: Set<object>): unknown {
  switch (typeof value) {
    case 'bigint':
      marks.push([path, 'BigInt']);
      return value.toString();
    case 'number':
      if (Number.isFinite(value)) return value;
      marks.push([path, 'Number']);
      return String(value);
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) {
        marks.push([path, 'Date']);
        return Number.isNaN(value.getTime()) ? null : value.toISOString();
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Map) && !(value instanceof Set)) return value;
      if (stack.has(value)) throw new TypeError('Converting circular structure to JSON');
      stack.add(value);
      try {
        if (value instanceof Map) {
          const entries = [...value.entries()].map(([k, v], i) => [
            toPlain(k, [...path, i, 0], marks, stack),
            toPlain(v, [...path, i, 1], marks, stack),
          ]);
          marks.push([path, 'Map']);
          return entries;
        }
        if (value instanceof Set) {
          const items = [...value].map((v, i) => toPlain(v, [...path, i], marks, stack));
          marks.push([path, 'Set']);
          return items;
        }
        if (Array.isArray(value)) {
          return value.map((item, i) => {
            if (item !== undefined) return toPlain(item, [...path, i], marks, stack);
            marks.push([[...path, i], 'undefined']);
            return null;
          });
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
          const v = (value as Record<string, unknown>)[key];
          if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
          out[key] = toPlain(v, [...path, key], marks, stack);
        }
        return out;
      } finally {
        stack.delete(value);
      }
    }
    default:
      return value;
  }
}

function revive(value: unknown, tag: ValueTag, what: string): unknown {
  switch (tag) {
    case 'Date':
      if (value === null) return new Date(NaN);
      if (typeof value === 'string' || value instanceof Date) {
        const date = new Date(value);
        if (!Number.isNaN(date.getTime())) return date;
      }
      throw malformed(what, 'a Date mark is not on an ISO date');
    case 'BigInt':
      if (typeof value === 'string' && /^-?\d{1,4096}$/.test(value)) return BigInt(value);
      throw malformed(what, 'a BigInt mark is not on a decimal string');
    case 'Number':
      if (value === 'NaN') return NaN;
      if (value === 'Infinity') return Infinity;
      if (value === '-Infinity') return -Infinity;
      throw malformed(what, 'a Number mark is not on NaN or Infinity');
    case 'undefined':
      if (value === null) return undefined;
      throw malformed(what, 'an undefined mark is not on null');
    case 'Set':
      if (Array.isArray(value)) return new Set(value);
      throw malformed(what, 'a Set mark is not on an array');
    case 'Map':
      if (Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.length === 2))
        return new Map(value as Array<[unknown, unknown]>);
      throw malformed(what, 'a Map mark is not on an array of pairs');
  }
}

function child(holder: unknown, key: string | number, what: string): unknown {
  if (holder !== null && typeof holder === 'object' && Object.prototype.hasOwnProperty.call(holder, key))
    return (holder as Record<string | number, unknown>)[key];
  throw malformed(what, 'a mark points at nothing');
}

function setChild(holder: unknown, key: string | number, value: unknown): void {
  Object.defineProperty(holder, key, { value, writable: true, configurable: true, enumerable: true });
}

function malformed(what: string, problem: string): MalformedMessageError {
  return new MalformedMessageError(`The ${what}'s value marks are invalid: ${problem}`);
}

/** The key under which a stored object keeps its marks (stores hold Catga's own objects: outcomes, entries, states). */
const STORED_MARKS = '$marks';

/**
 * JSON text of an object a store keeps (an idempotency outcome, an outbox entry, a saga state):
 * what `JSON.stringify` writes, plus the codec's marks under `$marks` when the object holds values
 * plain JSON would change, so a store that keeps text gives back what an in-memory one does.
 */
export function encodeStoredValue(value: object): string {
  const { json, marks } = encodeValue(value);
  if (marks === undefined) return json;
  const plain = JSON.parse(json) as Record<string, unknown>;
  plain[STORED_MARKS] = marks;
  return JSON.stringify(plain);
}

/** Reads what `encodeStoredValue` wrote (or plain JSON, as older versions wrote it). */
export function decodeStoredValue<T>(text: string): T {
  const plain = JSON.parse(text) as unknown;
  if (plain === null || typeof plain !== 'object' || !Object.prototype.hasOwnProperty.call(plain, STORED_MARKS)) return plain as T;
  const record = plain as Record<string, unknown>;
  const marks = record[STORED_MARKS];
  delete record[STORED_MARKS];
  return restoreValue(record, marks, 'stored value') as T;
}
