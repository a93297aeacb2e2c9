import { MalformedMessageError, PayloadTooLargeError } from '../errors/catga-errors.js';
import { serializeError } from '../errors/error.serializer.js';
import type { Reply } from '../transport/transport.interface.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reply as UTF-8 JSON: `{"ok":true,"result":…}` or `{"ok":false,"error":{code,…}}`. */
export function encodeReply(reply: Reply): Uint8Array {
  return encoder.encode(JSON.stringify(reply.ok ? { ok: true, result: reply.result ?? null } : reply));
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
    const v = value as { ok: unknown; result?: unknown; error?: unknown };
    if (v.ok === true) return { ok: true, result: v.result };
    if (v.ok === false && v.error && typeof v.error === 'object' && 'code' in v.error) return value as Reply;
  }
  throw new MalformedMessageError('Reply has neither {"ok":true,"result"} nor {"ok":false,"error"}');
}
