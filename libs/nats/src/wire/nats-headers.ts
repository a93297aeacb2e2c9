import { MalformedMessageError } from '@catga/core';
import { WireHeader } from '@catga/core/transport';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

const CANONICAL = new Map<string, string>(Object.values(WireHeader).map((h) => [h.toLowerCase(), h]));

const encoder = new TextEncoder();

/**
 * Headers to publish with: the block rendered once, here, as nats.js would render it (`NATS/1.0`,
 * then `Name: value` lines, names as given, values trimmed). nats.js's own header object checks
 * and canonicalizes every name again as it is appended and renders the block per publish; a
 * name or value it would refuse goes through it, so it is refused the same way.
 */
export function toNatsHeaders(values: Record<string, string>): MsgHdrs {
  // As nats.js renders a header object with nothing in it: no block at all.
  let block = '';
  for (const name in values) {
    if (block === '') block = 'NATS/1.0';
    const value = values[name]!;
    if (!isHeaderName(name) || value.includes('\r') || value.includes('\n')) return throughNats(values);
    block += `\r\n${name}: ${value.trim()}`;
  }
  return new RenderedHeaders(values, block === '' ? new Uint8Array(0) : encoder.encode(`${block}\r\n\r\n`));
}

function throughNats(values: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  // A record's names are distinct, so append (which validates the value as set does) replaces nothing.
  for (const name in values) h.append(name, values[name]!);
  return h;
}

function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) return false;
  }
  return true;
}

/**
 * nats.js's `MsgHdrs` over a record whose names are distinct, read-only, with the block it
 * publishes already rendered: the publish path asks a header object for `encode()` alone.
 */
class RenderedHeaders implements MsgHdrs {
  readonly hasError = false;
  readonly status = '';
  readonly code = 0;
  readonly description = '';

  constructor(
    private readonly record: Readonly<Record<string, string>>,
    private readonly block: Uint8Array,
  ) {}

  encode(): Uint8Array {
    return this.block;
  }

  *[Symbol.iterator](): Iterator<[string, string[]]> {
    for (const name in this.record) yield [name, [this.record[name]!.trim()]];
  }

  get(k: string): string {
    return this.has(k) ? this.record[k]!.trim() : '';
  }

  last(k: string): string {
    return this.get(k);
  }

  has(k: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.record, k);
  }

  keys(): string[] {
    return Object.keys(this.record);
  }

  values(k: string): string[] {
    return this.has(k) ? [this.get(k)] : [];
  }

  set(): void {
    throw new TypeError('Rendered headers are read-only');
  }

  append(): void {
    throw new TypeError('Rendered headers are read-only');
  }

  delete(): void {
    throw new TypeError('Rendered headers are read-only');
  }
}

/**
 * A message's headers as a map, Catga's own names in their canonical case whatever case the
 * sender used. The header block is read here, in one pass over its text, when nats.js exposes
 * it as it has since v2 (`_rdata` and `_msg.hdr`; `readsRawHeaderBlocks` says whether it does):
 * nats.js's own parser builds its header object by searching the names already read for each
 * line, its largest cost per received message. A JetStream message is read through the message it
 * wraps (`msg`). Otherwise, and for what is not a received message, nats.js parses it. Either way
 * a block that cannot be parsed (a space in a name) is a typed `MALFORMED_MESSAGE`, and the same
 * names and values come out (nats-headers.spec.ts).
 */
export function fromNatsHeaders(msg: { readonly headers?: MsgHdrs }): Map<string, string> {
  const raw = rawOf(msg);
  const length = raw._msg?.hdr;
  if (typeof length === 'number' && raw._rdata instanceof Uint8Array) {
    return length > 0 ? readHeaderBlock(raw._rdata.subarray(0, length)) : new Map();
  }
  const out = new Map<string, string>();
  try {
    const h = msg.headers;
    if (!h) return out;
    // Iterating gives each name with its values at once; get(name) would search the names again.
    for (const [name, values] of h) out.set(CANONICAL.get(name.toLowerCase()) ?? name, values[0] ?? '');
  } catch (error) {
    throw new MalformedMessageError(`The header block cannot be parsed: ${(error as Error)?.message ?? String(error)}`);
  }
  return out;
}

/** What a message nats.js received holds: the bytes of header block and body, and the header block's length (-1: none). */
interface RawMessage {
  readonly _rdata?: unknown;
  readonly _msg?: { readonly hdr?: unknown };
}

/** What a JetStream message of nats.js holds: the core message it was delivered as. */
interface JetStreamMessage {
  readonly msg?: RawMessage;
}

function rawOf(msg: object): RawMessage {
  return (msg as JetStreamMessage).msg ?? (msg as RawMessage);
}

/** Whether messages of this nats.js carry their raw header block where `fromNatsHeaders` reads it. */
export function readsRawHeaderBlocks(msg: object): boolean {
  const raw = rawOf(msg);
  return typeof raw._msg?.hdr === 'number' && raw._rdata instanceof Uint8Array;
}

const decoder = new TextDecoder();

/**
 * `NATS/1.0[ status]\r\nName: value\r\n…\r\n\r\n` as nats.js reads it: the status line skipped,
 * a line without a colon ignored, the value trimmed, the first value of a repeated name kept; a
 * name with a character outside `!`..`~`, or a value with a CR or LF left inside it once
 * trimmed, is malformed.
 */
export function readHeaderBlock(block: Uint8Array): Map<string, string> {
  const text = decoder.decode(block);
  const out = new Map<string, string>();
  let start = text.indexOf('\r\n');
  while (start !== -1) {
    start += 2;
    let end = text.indexOf('\r\n', start);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon !== -1 && colon < end) {
      const name = text.slice(start, colon);
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        if (c < 33 || c > 126)
          throw new MalformedMessageError(`The header block cannot be parsed: '${name[i]}' is not a valid character in a header name`);
      }
      const key = CANONICAL.get(name.toLowerCase()) ?? name;
      const value = text.slice(colon + 1, end).trim();
      // A lone CR or LF inside a value (one that smuggles a line past a reader splitting on LF).
      if (value.includes('\r') || value.includes('\n'))
        throw new MalformedMessageError(`The header block cannot be parsed: the value of ${name} holds a line break`);
      if (!out.has(key)) out.set(key, value);
    }
    start = end < text.length ? end : -1;
  }
  return out;
}
