import type { Envelope } from '../envelope/envelope.js';
import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';
import type { MessageKind } from '../messages/message-kind.js';
import { isValidMessageId, MAX_ID_LENGTH } from '../envelope/message-id.js';
import { hydrateBody } from './body-hydrator.js';
import { assertJsonWithinLimits, type JsonLimits } from './json-limits.js';
import { encodeValue, parseMarks, restoreValue } from './value.codec.js';
import { isReservedHeader, JSON_CONTENT_TYPE, WireHeader } from './wire-headers.js';

/** A message as bytes plus string headers: what any transport carries. */
export interface WireMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const KINDS: ReadonlySet<string> = new Set<MessageKind>(['command', 'query', 'event']);

/**
 * Encodes an envelope: identity in headers, the body as UTF-8 JSON. A body over `maxBodyBytes`, or
 * one a receiver's JSON limits would refuse, is `PayloadTooLargeError` / `MalformedMessageError`.
 */
export function encodeEnvelope(
  envelope: Envelope,
  maxBodyBytes: number,
  limits: Pick<JsonLimits, 'maxArrayLength' | 'maxStringLength'> = {},
): WireMessage {
  const { json, marks } = encodeValue(envelope.body);
  const body = encoder.encode(json);
  const marksText = marks === undefined ? undefined : asciiJson(marks);
  const bytes = body.byteLength + (marksText?.length ?? 0);
  if (bytes > maxBodyBytes) {
    throw new PayloadTooLargeError(`${envelope.type} body is ${bytes} bytes; the limit is ${maxBodyBytes}`, {
      messageId: envelope.id,
      details: { bytes, limit: maxBodyBytes },
    });
  }
  // What every receiver would refuse is refused here: a request fails at once, an event is not published to be dead-lettered.
  assertJsonWithinLimits(body, { ...limits, what: `${envelope.type} body`, messageId: envelope.id });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(envelope.headers)) if (!isReservedHeader(name)) headers[name] = value;
  headers[WireHeader.messageId] = envelope.id;
  headers[WireHeader.type] = envelope.type;
  headers[WireHeader.kind] = envelope.kind;
  headers[WireHeader.correlationId] = envelope.correlationId;
  if (envelope.causationId !== undefined) headers[WireHeader.causationId] = envelope.causationId;
  headers[WireHeader.timestamp] = String(envelope.timestamp);
  headers[WireHeader.contentType] = JSON_CONTENT_TYPE;
  if (marksText !== undefined) headers[WireHeader.bodyMarks] = marksText;
  return { headers, body };
}

export interface DecodeOptions {
  maxBodyBytes: number;
  /** The type the subject says; a different `Catga-Type` header is malformed. */
  expectedType?: string;
  /** Kind to assume when the header is absent (a client that only knows the subject). */
  defaultKind?: MessageKind;
  /** Elements one array of the body may hold. Default `MAX_ARRAY_LENGTH` (10 000, json-limits.ts). */
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
  assertJsonWithinLimits(body, {
    what: `Body of ${type}`,
    messageId: id,
    ...(options.maxArrayLength === undefined ? {} : { maxArrayLength: options.maxArrayLength }),
    ...(options.maxStringLength === undefined ? {} : { maxStringLength: options.maxStringLength }),
  });
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
    body: restoreBody(type, plain, headers.get(WireHeader.bodyMarks), id),
  };
}

/** The body as its registered class, with the values the marks say put back (after hydration: marks name the fields). */
function restoreBody(type: string, plain: unknown, marks: string | undefined, id: string): unknown {
  const body = hydrateBody(type, plain, id);
  if (marks === undefined) return body;
  try {
    return restoreValue(body, parseMarks(marks, `body of ${type}`), `body of ${type}`);
  } catch (error) {
    if (error instanceof MalformedMessageError) error.messageId = id;
    throw error;
  }
}

/** JSON with every non-ASCII character escaped: a header value any transport carries as it is. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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

export { MAX_ARRAY_LENGTH, MAX_BODY_DEPTH, MAX_STRING_LENGTH } from './json-limits.js';
