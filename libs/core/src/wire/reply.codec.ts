import { MalformedMessageError } from '../errors/catga-errors.js';
import type { Reply } from '../transport/transport.interface.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reply as UTF-8 JSON: `{"ok":true,"result":…}` or `{"ok":false,"error":{code,…}}`. */
export function encodeReply(reply: Reply): Uint8Array {
  return encoder.encode(JSON.stringify(reply.ok ? { ok: true, result: reply.result ?? null } : reply));
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
