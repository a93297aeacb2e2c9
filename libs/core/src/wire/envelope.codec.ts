import type { Envelope } from '../envelope/envelope.js';
import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';
import type { MessageKind } from '../messages/message-kind.js';
import { isValidMessageId, MAX_ID_LENGTH } from '../envelope/message-id.js';
import { hydrateBody } from './body-hydrator.js';
import { isReservedHeader, JSON_CONTENT_TYPE, WireHeader } from './wire-headers.js';

/** A message as bytes plus string headers: what any transport carries. */
export interface WireMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const KINDS: ReadonlySet<string> = new Set<MessageKind>(['command', 'query', 'event']);

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

/** Encodes an envelope: identity in headers, the body as UTF-8 JSON. */
export function encodeEnvelope(envelope: Envelope, maxBodyBytes: number): WireMessage {
  const json = JSON.stringify(envelope.body ?? null);
  const body = encoder.encode(json);
  if (body.byteLength > maxBodyBytes) {
    throw new PayloadTooLargeError(`${envelope.type} body is ${body.byteLength} bytes; the limit is ${maxBodyBytes}`, {
      messageId: envelope.id,
      details: { bytes: body.byteLength, limit: maxBodyBytes },
    });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.headers)) if (!isReservedHeader(name)) headers[name] = value;
  headers[WireHeader.messageId] = envelope.id;
  headers[WireHeader.type] = envelope.type;
  headers[WireHeader.kind] = envelope.kind;
  headers[WireHeader.correlationId] = envelope.correlationId;
  if (envelope.causationId !== undefined) headers[WireHeader.causationId] = envelope.causationId;
  headers[WireHeader.timestamp] = String(envelope.timestamp);
  headers[WireHeader.contentType] = JSON_CONTENT_TYPE;
  return { headers, body };
}

export interface DecodeOptions {
  maxBodyBytes: number;
  /** The type the subject says; a different `Catga-Type` header is malformed. */
  expectedType?: string;
  /** Kind to assume when the header is absent (a client that only knows the subject). */
  defaultKind?: MessageKind;
  /** Elements one array of the body may hold. Default `MAX_ARRAY_LENGTH` (10 000). */
  maxArrayLength?: number;
  /** UTF-8 bytes one string of the body may hold. Default `MAX_STRING_LENGTH` (65 536). */
  maxStringLength?: number;
}

/**
 * Decodes a received message. Throws `PayloadTooLargeError` or `MalformedMessageError` (with the
 * message id when one could be read), never anything untyped.
 */
export function decodeEnvelope(headers: ReadonlyMap<string, string>, body: Uint8Array, options: DecodeOptions): Envelope {
  const id = headers.get(WireHeader.messageId);
  if (body.byteLength > options.maxBodyBytes) {
    throw new PayloadTooLargeError(`Body of ${body.byteLength} bytes exceeds the limit of ${options.maxBodyBytes}`, {
      messageId: id,
      details: { bytes: body.byteLength, limit: options.maxBodyBytes },
    });
  }
  if (!id) throw new MalformedMessageError(`Missing ${WireHeader.messageId} header`);
  if (!isValidMessageId(id))
    throw new MalformedMessageError(`${WireHeader.messageId} must be 1 to ${MAX_ID_LENGTH} printable ASCII characters`);
  const type = headers.get(WireHeader.type) ?? options.expectedType;
  if (!type) throw new MalformedMessageError(`Missing ${WireHeader.type} header`, { messageId: id });
  if (options.expectedType !== undefined && type !== options.expectedType) {
    throw new MalformedMessageError(`Type "${type}" does not match the subject's "${options.expectedType}"`, { messageId: id });
  }
  const kind = headers.get(WireHeader.kind) ?? options.defaultKind;
  if (!kind || !KINDS.has(kind)) throw new MalformedMessageError(`Unknown kind "${kind}"`, { messageId: id });
  const maxArrayLength = options.maxArrayLength ?? MAX_ARRAY_LENGTH;
  const maxStringLength = options.maxStringLength ?? MAX_STRING_LENGTH;
  const exceeded = exceededLimit(body, maxArrayLength, maxStringLength);
  if (exceeded === 'depth') {
    throw new MalformedMessageError(`Body of ${type} nests deeper than ${MAX_BODY_DEPTH} levels`, { messageId: id });
  }
  if (exceeded === 'array') {
    throw new PayloadTooLargeError(`Body of ${type} has an array of more than ${maxArrayLength} elements`, {
      messageId: id,
      details: { what: 'array', limit: maxArrayLength },
    });
  }
  if (exceeded === 'string') {
    throw new PayloadTooLargeError(`Body of ${type} has a string of more than ${maxStringLength} bytes`, {
      messageId: id,
      details: { what: 'string', limit: maxStringLength },
    });
  }
  let plain: unknown;
  try {
    plain = body.byteLength === 0 ? null : JSON.parse(decoder.decode(body));
  } catch (error) {
    throw new MalformedMessageError(`Body of ${type} is not UTF-8 JSON: ${(error as Error).message}`, { messageId: id });
  }
  const timestamp = Number(headers.get(WireHeader.timestamp) ?? Date.now());
  const userHeaders: Record<string, string> = {};
  for (const [name, value] of headers) if (!isReservedHeader(name)) userHeaders[name] = value;
  return {
    id,
    type,
    kind: kind as MessageKind,
    correlationId: correlationIdOf(headers, id),
    causationId: headers.get(WireHeader.causationId),
    timestamp: Number.isFinite(timestamp) ? timestamp : Date.now(),
    headers: userHeaders,
    body: hydrateBody(type, plain, id),
  };
}

function correlationIdOf(headers: ReadonlyMap<string, string>, id: string): string {
  const correlationId = headers.get(WireHeader.correlationId);
  if (correlationId === undefined) return id;
  if (!isValidMessageId(correlationId)) {
    throw new MalformedMessageError(`${WireHeader.correlationId} must be 1 to ${MAX_ID_LENGTH} printable ASCII characters`, {
      messageId: id,
    });
  }
  return correlationId;
}
