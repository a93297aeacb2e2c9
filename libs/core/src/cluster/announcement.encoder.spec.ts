import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAnnouncement } from './announcement.encoder.js';
import { MAX_ANNOUNCEMENT_BYTES, parseAnnouncement } from './announcement.parser.js';
import type { InstanceAnnouncement } from './cluster-member.js';
import type { TypeTraffic } from '../traffic/traffic-window.js';

const base: InstanceAnnouncement = {
  service: 'big',
  instance: 'big-1',
  state: 'ready',
  startedAt: 1,
  at: 2,
  handled: 0,
  failed: 0,
  inFlight: 0,
  sagasActive: 0,
  transport: 'nats',
  connected: true,
  reconnects: 0,
};
const name = (i: number) => `a-rather-long-bounded-context.some-message-type-${String(i).padStart(4, '0')}`;
const traffic = (n: number, busy: number): TypeTraffic[] =>
  Array.from({ length: n }, (_, i) => ({
    type: name(i),
    kind: 'command' as const,
    roles: ['handles' as const],
    ...(i === busy ? { handled: 500, p50Ms: 1.5, p99Ms: 12.25 } : {}),
  }));
const window = (types: TypeTraffic[]) => ({
  ms: 2000,
  types,
  sagas: { started: 0, completed: 0, compensated: 0, failed: 0 },
  deadLettered: 0,
});

describe('announcement encoding, within the size a receiver reads', () => {
  it('sends everything when it fits', () => {
    const a = { ...base, handles: [name(1)], traffic: window(traffic(10, 3)) };
    const { body, trafficTrimmed, handlesDropped } = encodeAnnouncement(a);
    assert.equal(trafficTrimmed, 0);
    assert.equal(handlesDropped, false);
    assert.deepEqual(parseAnnouncement(body), a);
  });

  it('keeps the busiest traffic types and the handled list when the types do not all fit', () => {
    const types = traffic(400, 377);
    const a = { ...base, handles: types.slice(0, 50).map((t) => t.type), traffic: window(types) };
    const { body, trafficTrimmed, handlesDropped } = encodeAnnouncement(a);
    assert.ok(body.byteLength <= MAX_ANNOUNCEMENT_BYTES, `${body.byteLength} bytes`);
    assert.ok(trafficTrimmed > 0);
    assert.equal(handlesDropped, false);
    const parsed = parseAnnouncement(body)!;
    assert.equal(parsed.traffic!.types[0]!.type, name(377), 'the busy one first');
    assert.equal(parsed.handles!.length, 50);
  });

  it('drops the traffic types and the handled list when even the list alone is too large, and stays readable', () => {
    const types = traffic(400, 0);
    const a = { ...base, handles: types.map((t) => t.type), traffic: window(types) };
    const { body, handlesDropped } = encodeAnnouncement(a);
    assert.ok(body.byteLength <= MAX_ANNOUNCEMENT_BYTES, `${body.byteLength} bytes`);
    assert.equal(handlesDropped, true);
    const parsed = parseAnnouncement(body)!;
    assert.deepEqual(parsed.traffic!.types, []);
    assert.equal(parsed.handles, undefined);
  });
});
