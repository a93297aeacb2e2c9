import { parseOwnerAddress } from '../liveness/owner-address.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { SagaTraffic, TrafficRole, TrafficWindow, TypeTraffic } from '../traffic/traffic-window.js';
import type { InstanceAnnouncement } from './cluster-member.js';

/**
 * The largest announcement read or sent: a few hundred bytes plus the handled types (about 400
 * names of 40 characters). Versions without `handles` read 4 KB at most.
 */
export const MAX_ANNOUNCEMENT_BYTES = 16_384;

/** The most handled types an announcement may list. */
export const MAX_HANDLED_TYPES = 1_000;
/** The most message types an announcement's traffic may list. */
export const MAX_TRAFFIC_TYPES = 1_000;
/** A handling time above this (a day, in ms) is not one. */
const MAX_DURATION_MS = 86_400_000;

const decoder = new TextDecoder('utf-8', { fatal: true });
const NAME = /^[\w.:@/-]{1,128}$/;
const TRANSPORT = /^[\w-]{1,32}$/;
/** A message type name (`@MessageType`), bounded. */
const TYPE = /^[\w.-]{1,256}$/;
const KINDS: ReadonlySet<string> = new Set<MessageKind>(['command', 'query', 'event']);
const ROLES: ReadonlySet<string> = new Set<TrafficRole>(['handles', 'sends', 'publishes']);
const STATES: ReadonlySet<string> = new Set<InstanceAnnouncement['state']>(['ready', 'draining', 'left']);

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const time = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const duration = (v: unknown): v is number => time(v) && v <= MAX_DURATION_MS;

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
  // Optional too; anything in it that is not what it should be refuses the whole announcement.
  const traffic = a.traffic === undefined ? undefined : parseTraffic(a.traffic);
  if (traffic === null) return undefined;
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
    ...(traffic !== undefined ? { traffic } : {}),
  };
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A traffic window with only its known fields, or `null` when it is not one. */
function parseTraffic(v: unknown): TrafficWindow | null {
  const t = record(v);
  const sagas = record(t?.sagas);
  if (!t || !sagas || !duration(t.ms) || !count(t.deadLettered) || !Array.isArray(t.types) || t.types.length > MAX_TRAFFIC_TYPES)
    return null;
  if (!count(sagas.started) || !count(sagas.completed) || !count(sagas.compensated) || !count(sagas.failed)) return null;
  if ((t.p50Ms !== undefined && !duration(t.p50Ms)) || (t.p99Ms !== undefined && !duration(t.p99Ms))) return null;
  const types: TypeTraffic[] = [];
  for (const item of t.types) {
    const entry = parseTypeTraffic(item);
    if (!entry) return null;
    types.push(entry);
  }
  const saga: SagaTraffic = { started: sagas.started, completed: sagas.completed, compensated: sagas.compensated, failed: sagas.failed };
  return {
    ms: t.ms,
    types,
    ...(t.p50Ms !== undefined ? { p50Ms: t.p50Ms } : {}),
    ...(t.p99Ms !== undefined ? { p99Ms: t.p99Ms } : {}),
    sagas: saga,
    deadLettered: t.deadLettered,
  };
}

function parseTypeTraffic(v: unknown): TypeTraffic | undefined {
  const e = record(v);
  if (!e || typeof e.type !== 'string' || !TYPE.test(e.type) || typeof e.kind !== 'string' || !KINDS.has(e.kind)) return undefined;
  const { roles } = e;
  if (!Array.isArray(roles) || roles.length > ROLES.size || !roles.every((r) => typeof r === 'string' && ROLES.has(r))) return undefined;
  const entry: TypeTraffic = { type: e.type, kind: e.kind as MessageKind, roles: [...new Set(roles as TrafficRole[])] };
  for (const key of ['handled', 'failed', 'sent', 'published'] as const) {
    const n = e[key];
    if (n === undefined) continue;
    if (!count(n)) return undefined;
    entry[key] = n;
  }
  for (const key of ['p50Ms', 'p99Ms'] as const) {
    const ms = e[key];
    if (ms === undefined) continue;
    if (!duration(ms)) return undefined;
    entry[key] = ms;
  }
  return entry;
}

function isTypeList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= MAX_HANDLED_TYPES && v.every((t) => typeof t === 'string' && TYPE.test(t));
}
