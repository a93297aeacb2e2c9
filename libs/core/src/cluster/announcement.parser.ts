import { parseOwnerAddress } from '../liveness/owner-address.js';
import type { InstanceAnnouncement } from './cluster-member.js';

/**
 * The largest announcement read or sent: a few hundred bytes plus the handled types (about 400
 * names of 40 characters). Versions without `handles` read 4 KB at most.
 */
export const MAX_ANNOUNCEMENT_BYTES = 16_384;

/** The most handled types an announcement may list. */
export const MAX_HANDLED_TYPES = 1_000;

const decoder = new TextDecoder('utf-8', { fatal: true });
const NAME = /^[\w.:@/-]{1,128}$/;
const TRANSPORT = /^[\w-]{1,32}$/;
/** A message type name (`@MessageType`), bounded. */
const TYPE = /^[\w.-]{1,256}$/;
const STATES: ReadonlySet<string> = new Set<InstanceAnnouncement['state']>(['ready', 'draining', 'left']);

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const time = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * A peer's announcement as a typed value with only the known fields, or `undefined` when it is
 * not one: too large, not JSON, a field missing or of the wrong type, a name outside
 * `[A-Za-z0-9_.:@/-]` (so nothing a page could render as markup), a count that is not a
 * non-negative integer.
 */
export function parseAnnouncement(body: Uint8Array): InstanceAnnouncement | undefined {
  if (body.byteLength > MAX_ANNOUNCEMENT_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const a = value as Record<string, unknown>;
  const { service, instance, state, transport, connected } = a;
  if (typeof service !== 'string' || !NAME.test(service) || typeof instance !== 'string' || !NAME.test(instance)) return undefined;
  if (typeof state !== 'string' || !STATES.has(state) || typeof transport !== 'string' || !TRANSPORT.test(transport)) return undefined;
  if (typeof connected !== 'boolean' || !time(a.startedAt) || !time(a.at)) return undefined;
  if (!count(a.handled) || !count(a.failed) || !count(a.inFlight) || !count(a.sagasActive) || !count(a.reconnects)) return undefined;
  const { address } = a;
  // Optional (older versions send none), but when present it is the announcer's own.
  if (address !== undefined && !(typeof address === 'string' && NAME.test(address) && parseOwnerAddress(address)?.instance === instance))
    return undefined;
  const { handles } = a;
  // Optional as well; a list that is not one of type names refuses the whole announcement.
  if (handles !== undefined && !isTypeList(handles)) return undefined;
  return {
    service,
    instance,
    state: state as InstanceAnnouncement['state'],
    startedAt: a.startedAt,
    at: a.at,
    handled: a.handled,
    failed: a.failed,
    inFlight: a.inFlight,
    sagasActive: a.sagasActive,
    transport,
    connected,
    reconnects: a.reconnects,
    ...(address !== undefined ? { address } : {}),
    ...(handles !== undefined ? { handles } : {}),
  };
}

function isTypeList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= MAX_HANDLED_TYPES && v.every((t) => typeof t === 'string' && TYPE.test(t));
}
