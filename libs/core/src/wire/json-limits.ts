import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';

/** How deep a body's arrays and objects may nest; deeper ones are refused before they are parsed. */
export const MAX_BODY_DEPTH = 64;
/** How many elements one JSON array of a body may hold; a longer one is refused before it is parsed. */
export const MAX_ARRAY_LENGTH = 10_000;
/** How many UTF-8 bytes one JSON string of a body (key or value, escapes decoded) may hold; a longer one is refused before parsing. */
export const MAX_STRING_LENGTH = 65_536;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

type BodyLimit = 'depth' | 'array' | 'string';

// Per open depth, the commas seen so far in the array opened there, or -1 for an object (reused: the scan is synchronous).
const commas = new Int32Array(MAX_BODY_DEPTH + 1);

/** The first limit a body passes, in one pass over its bytes, or undefined; stops at the first one passed. */
function exceededLimit(body: Uint8Array, maxArrayLength: number, maxStringLength: number): BodyLimit | undefined {
  // JSON this short cannot pass any of the limits (nesting takes two bytes per level).
  if (body.byteLength <= 2 * MAX_BODY_DEPTH) return undefined;
  const end = body.length;
  let depth = 0;
  commas[0] = -1;
  for (let i = 0; i < end; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      const start = ++i;
      let saved = 0;
      for (; i < end; i++) {
        const s = body[i]!;
        if (s === QUOTE) break;
        if (s === BACKSLASH) {
          if (body[i + 1] === LOWER_U) {
            saved += 6 - escapedUnitBytes(body, i + 2);
            i += 5;
          } else {
            saved++;
            i++;
          }
        }
      }
      if (i - start - saved > maxStringLength) return 'string';
    } else if (c === COMMA) {
      const n = commas[depth]!;
      if (n >= 0) {
        if (n + 1 >= maxArrayLength) return 'array';
        commas[depth] = n + 1;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > MAX_BODY_DEPTH) return 'depth';
      commas[depth] = c === OPEN_BRACKET ? 0 : -1;
    } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && depth > 0) depth--;
  }
  return undefined;
}

/** The UTF-8 size of the code unit `\uXXXX` writes with the four hex digits at `at`; a surrogate half is 2, so a pair is 4. */
function escapedUnitBytes(body: Uint8Array, at: number): number {
  const unit = (hexValue(body[at]) << 12) | (hexValue(body[at + 1]) << 8) | (hexValue(body[at + 2]) << 4) | hexValue(body[at + 3]);
  return unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
}

// Not a hex digit gives a wrong value, harmless: JSON.parse refuses that body next.
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return 0;
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57;
}

export interface JsonLimits {
  /** What the bytes are, for the error message: `Body of orders.place-order`, `HTTP body`. */
  readonly what: string;
  /** The message the bytes belong to, carried by the error. */
  readonly messageId?: string | undefined;
  /** Default `MAX_ARRAY_LENGTH`. */
  readonly maxArrayLength?: number;
  /** Default `MAX_STRING_LENGTH`. */
  readonly maxStringLength?: number;
}

/**
 * Refuses JSON bytes that nest deeper than `MAX_BODY_DEPTH` (`MalformedMessageError`) or hold an
 * array or a string over its limit (`PayloadTooLargeError`, `details.what` and `limit`), in one
 * pass over the bytes and before anything parses them. Every received message goes through it;
 * an HTTP edge can run it on request bodies too.
 */
export function assertJsonWithinLimits(body: Uint8Array, limits: JsonLimits): void {
  const maxArrayLength = limits.maxArrayLength ?? MAX_ARRAY_LENGTH;
  const maxStringLength = limits.maxStringLength ?? MAX_STRING_LENGTH;
  const { what, messageId } = limits;
  const exceeded = exceededLimit(body, maxArrayLength, maxStringLength);
  if (exceeded === 'depth') {
    throw new MalformedMessageError(`${what} nests deeper than ${MAX_BODY_DEPTH} levels`, { messageId });
  }
  if (exceeded === 'array') {
    throw new PayloadTooLargeError(`${what} has an array of more than ${maxArrayLength} elements`, {
      messageId,
      details: { what: 'array', limit: maxArrayLength },
    });
  }
  if (exceeded === 'string') {
    throw new PayloadTooLargeError(`${what} has a string of more than ${maxStringLength} bytes`, {
      messageId,
      details: { what: 'string', limit: maxStringLength },
    });
  }
}
