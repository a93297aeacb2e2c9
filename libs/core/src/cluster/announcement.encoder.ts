import type { TypeTraffic } from '../traffic/traffic-window.js';
import { MAX_ANNOUNCEMENT_BYTES } from './announcement.parser.js';
import type { InstanceAnnouncement } from './cluster-member.js';

const encoder = new TextEncoder();

export interface EncodedAnnouncement {
  body: Uint8Array;
  /** Traffic types left out to fit (the idlest), 0 when all fit. */
  trafficTrimmed: number;
  /** Whether the handled types list was left out to fit. */
  handlesDropped: boolean;
}

const activity = (t: TypeTraffic) => (t.handled ?? 0) + (t.failed ?? 0) + (t.sent ?? 0) + (t.published ?? 0);

/**
 * The announcement as its wire body within `MAX_ANNOUNCEMENT_BYTES`: whole when it fits, else
 * with only its busiest traffic types (halving until it fits), else without them and without the
 * handled types list (the others still see the instance; they only cannot tell a restart of its
 * types, nor draw it on the map).
 */
export function encodeAnnouncement(announcement: InstanceAnnouncement): EncodedAnnouncement {
  let body = encoder.encode(JSON.stringify(announcement));
  if (body.byteLength <= MAX_ANNOUNCEMENT_BYTES) return { body, trafficTrimmed: 0, handlesDropped: false };
  const traffic = announcement.traffic;
  if (traffic && traffic.types.length > 0) {
    const busiest = [...traffic.types].sort((a, b) => activity(b) - activity(a));
    let keep = busiest.length;
    while (keep > 0 && body.byteLength > MAX_ANNOUNCEMENT_BYTES) {
      keep = Math.floor(keep / 2);
      body = encoder.encode(JSON.stringify({ ...announcement, traffic: { ...traffic, types: busiest.slice(0, keep) } }));
    }
    if (body.byteLength <= MAX_ANNOUNCEMENT_BYTES) return { body, trafficTrimmed: busiest.length - keep, handlesDropped: false };
    announcement = { ...announcement, traffic: { ...traffic, types: [] } };
  }
  body = encoder.encode(JSON.stringify({ ...announcement, handles: undefined }));
  return { body, trafficTrimmed: traffic?.types.length ?? 0, handlesDropped: true };
}
