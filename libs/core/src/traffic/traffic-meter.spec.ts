import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatgaSignals } from '../signals/catga-signals.js';
import { TrafficMeter } from './traffic-meter.js';

describe('traffic meter', () => {
  it('counts a window per type with its p50 and p99, and starts the next one empty', () => {
    const meter = new TrafficMeter();
    const m = meter.meter('orders.place-order', 'command')!;
    for (let i = 1; i <= 100; i++) m.handling(i <= 98 ? 2 : 400, i !== 50);
    meter.sent('payments.charge', 'command');
    const window = meter.take([{ type: 'orders.place-order', kind: 'command' }], Date.now());
    const placed = window.types.find((t) => t.type === 'orders.place-order')!;
    assert.deepEqual(placed.roles, ['handles']);
    assert.equal(placed.handled, 99);
    assert.equal(placed.failed, 1);
    assert.ok(placed.p50Ms! > 1 && placed.p50Ms! <= 2.5, `p50 ${placed.p50Ms}`);
    assert.ok(placed.p99Ms! > 250 && placed.p99Ms! <= 400, `p99 ${placed.p99Ms}`);
    assert.deepEqual(
      window.types.find((t) => t.type === 'payments.charge'),
      {
        type: 'payments.charge',
        kind: 'command',
        roles: ['sends'],
        sent: 1,
      },
    );
    const next = meter.take([{ type: 'orders.place-order', kind: 'command' }]);
    assert.deepEqual(
      next.types.map((t) => [t.type, t.roles, t.handled, t.sent, t.p50Ms]),
      [
        ['orders.place-order', ['handles'], undefined, undefined, undefined],
        ['payments.charge', ['sends'], undefined, undefined, undefined],
      ],
      'the roles stay, the counts start again',
    );
  });

  it('counts published events, saga outcomes and dead letters from the signals', () => {
    const signals = new CatgaSignals();
    const meter = new TrafficMeter();
    meter.observe(signals);
    const envelope = { type: 'orders.order-placed' } as never;
    signals.emit('published', { envelope });
    signals.emit('sagaStatus', { sagaName: 's', sagaId: '1', status: 'Running' });
    signals.emit('sagaStatus', { sagaName: 's', sagaId: '1', status: 'Compensating', previous: 'Running' });
    signals.emit('sagaStatus', { sagaName: 's', sagaId: '1', status: 'Failed', previous: 'Compensating' });
    signals.emit('deadLettered', { type: 'x', group: 'g', deliveries: 5, error: { code: 'E', name: 'E', message: 'm', retryable: false } });
    const window = meter.take([]);
    assert.deepEqual(window.sagas, { started: 1, completed: 0, compensated: 0, failed: 1 });
    assert.equal(window.deadLettered, 1);
    assert.deepEqual(window.types, [{ type: 'orders.order-placed', kind: 'event', roles: ['publishes'], published: 1 }]);
    meter.stop();
  });

  it('does not meter a type name a peer would refuse, so the announcement stays readable', () => {
    const meter = new TrafficMeter();
    meter.sent('<img src=x>', 'command');
    assert.equal(meter.meter('<img src=x>', 'event'), undefined);
    assert.deepEqual(meter.take([]).types, []);
  });

  it('counts every handling of a busy type and times the first 256 of a window and one in eight after', () => {
    const meter = new TrafficMeter();
    const m = meter.meter('orders.get-order', 'query')!;
    let timed = 0;
    for (let i = 0; i < 2_256; i++) {
      const time = m.begin();
      if (time) timed++;
      m.handling(time ? 3 : -1, true);
    }
    assert.equal(timed, 256 + 2_000 / 8);
    const [entry] = meter.take([]).types;
    assert.equal(entry!.handled, 2_256);
    assert.ok(entry!.p99Ms! > 2.5 && entry!.p99Ms! <= 3, `p99 ${entry!.p99Ms}`);
    assert.equal(m.begin(), true, 'a new window times in full again');
  });
});
