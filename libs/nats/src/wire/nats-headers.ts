import { MalformedMessageError } from '@catga/core';
import { WireHeader } from '@catga/core/transport';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

const CANONICAL = new Map<string, string>(Object.values(WireHeader).map((h) => [h.toLowerCase(), h]));

export function toNatsHeaders(values: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  // A record's names are distinct, so append (which validates the value as set does) replaces nothing.
  for (const name in values) h.append(name, values[name]!);
  return h;
}

/**
 * A message's headers as a map, Catga's own names in their canonical case whatever case the
 * sender used. nats.js parses the header block when it is first read and throws on one it cannot
 * parse (a space in a name, a line feed in a value): that is a typed `MALFORMED_MESSAGE` here.
 */
export function fromNatsHeaders(msg: { readonly headers?: MsgHdrs }): Map<string, string> {
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
