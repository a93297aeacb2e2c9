import { type Envelope, MalformedMessageError } from '@catga/core';
import { decodeEnvelope, type DecodeOptions, WireHeader, type WireMessage } from '@catga/core/transport';

/** One entry as XREAD, XREADGROUP and XCLAIM return it. */
export type StreamEntry = [id: string, fields: string[]];
/** What a blocking XREAD or XREADGROUP returns: entries per stream, or null when the block ran out. */
export type ReadReply = Array<[key: string, entries: StreamEntry[]]> | null;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function fieldsOf(entry: StreamEntry): Map<string, string> {
  const out = new Map<string, string>();
  const f = entry[1];
  for (let i = 0; i + 1 < f.length; i += 2) out.set(f[i]!, f[i + 1]!);
  return out;
}

/** An entry's `h` field: the PROTOCOL.md headers as a JSON object of strings. */
export function headersOf(fields: ReadonlyMap<string, string>): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(fields.get('h') ?? '{}');
  } catch {
    throw new MalformedMessageError('Entry headers (h) are not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new MalformedMessageError('Entry headers (h) are not a JSON object');
  const headers = new Map<string, string>();
  for (const [name, header] of Object.entries(value)) if (typeof header === 'string') headers.set(name, header);
  return headers;
}

/** The headers of an entry that may be malformed: empty when unreadable, for errors and dead letters about it. */
export function readableHeadersOf(fields: ReadonlyMap<string, string>): Map<string, string> {
  try {
    return headersOf(fields);
  } catch {
    return new Map();
  }
}

export function messageIdOf(fields: ReadonlyMap<string, string>): string | undefined {
  return readableHeadersOf(fields).get(WireHeader.messageId);
}

/** An entry's `b` field: the JSON body. */
export function bodyOf(fields: ReadonlyMap<string, string>): Uint8Array {
  return encoder.encode(fields.get('b') ?? '');
}

export function decodeEntry(fields: ReadonlyMap<string, string>, options: DecodeOptions): Envelope {
  return decodeEnvelope(headersOf(fields), bodyOf(fields), options);
}

/** The `h` and `b` fields of an encoded message, for XADD. */
export function messageFields(wire: WireMessage): string[] {
  return ['h', JSON.stringify(wire.headers), 'b', decoder.decode(wire.body)];
}
