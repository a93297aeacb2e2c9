import { WireHeader } from '@catga/core/transport';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

const CANONICAL = new Map<string, string>(Object.values(WireHeader).map((h) => [h.toLowerCase(), h]));

export function toNatsHeaders(values: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  for (const [name, value] of Object.entries(values)) h.set(name, value);
  return h;
}

/** Headers as a map, Catga's own names in their canonical case whatever case the sender used. */
export function fromNatsHeaders(h: MsgHdrs | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!h) return out;
  for (const name of h.keys()) out.set(CANONICAL.get(name.toLowerCase()) ?? name, h.get(name));
  return out;
}
