import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';
import { ERROR_CODE_PATTERN } from '../errors/error-code.decorator.js';
import { serializeError, type SerializedError } from '../errors/error.serializer.js';
import type { Reply } from '../transport/transport.interface.js';
import { encodeValue, restoreValue } from './value.codec.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A reply as UTF-8 JSON: `{"ok":true,"result":…}` (with `"marks"` when the result holds values plain
 * JSON would change: value.codec.ts) or `{"ok":false,"error":{code,…}}`.
 */
export function encodeReply(reply: Reply): Uint8Array {
  if (!reply.ok) return encoder.encode(JSON.stringify(reply));
  const { json, marks } = encodeValue(reply.result);
  return encoder.encode(`{"ok":true,"result":${json}${marks === undefined ? '' : `,"marks":${JSON.stringify(marks)}`}}`);
}

/**
 * Encodes a reply that must fit in `maxBytes`: one that does not is replaced by a typed
 * `PAYLOAD_TOO_LARGE` error reply, so the caller gets an answer instead of a transport failure.
 */
export function encodeReplyWithin(reply: Reply, maxBytes: number, messageId: string | undefined): Uint8Array {
  const body = encodeReply(reply);
  if (body.byteLength <= maxBytes) return body;
  const tooLarge = new PayloadTooLargeError(`Reply of ${body.byteLength} bytes exceeds the limit of ${maxBytes}`, {
    messageId,
    details: { bytes: body.byteLength, limit: maxBytes },
  });
  return encodeReply({ ok: false, error: serializeError(tooLarge, messageId) });
}

export function decodeReply(body: Uint8Array): Reply {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new MalformedMessageError('Reply is not JSON');
  }
  if (value && typeof value === 'object' && 'ok' in value) {
    const v = value as { ok: unknown; result?: unknown; error?: unknown; marks?: unknown };
    if (v.ok === true) return { ok: true, result: restoreValue(v.result, v.marks, 'reply') };
    if (v.ok === false) return { ok: false, error: readError(v.error) };
  }
  throw new MalformedMessageError('Reply has neither {"ok":true,"result"} nor {"ok":false,"error"}');
}

const MAX_ERROR_TEXT = 4_096;

/** A peer's error as the typed, bounded `SerializedError` the caller rebuilds, or `MALFORMED_MESSAGE`. */
function readError(error: unknown): SerializedError {
  if (error === null || typeof error !== 'object' || Array.isArray(error)) throw new MalformedMessageError('Reply error is not an object');
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || !ERROR_CODE_PATTERN.test(e.code)) throw new MalformedMessageError('Reply error has no valid code');
  if (typeof e.message !== 'string' || typeof e.retryable !== 'boolean')
    throw new MalformedMessageError(`Reply error ${e.code} has no message or retryable flag`);
  const out: SerializedError = {
    code: e.code,
    name: typeof e.name === 'string' && /^\w{1,64}$/.test(e.name) ? e.name : 'CatgaError',
    message: e.message.slice(0, MAX_ERROR_TEXT),
    retryable: e.retryable,
  };
  if (typeof e.messageId === 'string') out.messageId = e.messageId.slice(0, MAX_ERROR_TEXT);
  if (e.details !== undefined) out.details = e.details;
  if (typeof e.type === 'string' && /^[\w$]{1,128}$/.test(e.type)) out.type = e.type;
  if (typeof e.status === 'number' && Number.isInteger(e.status) && e.status >= 100 && e.status <= 599) out.status = e.status;
  if (e.fields !== null && typeof e.fields === 'object' && !Array.isArray(e.fields)) out.fields = e.fields as Record<string, unknown>;
  return out;
}
