import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { eventually } from '../conformance/eventually.js';
import { CatgaModule } from '../module/catga.module.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { CatgaCluster } from './catga-cluster.js';

const encoder = new TextEncoder();

function announcement(instance: string, fields: Record<string, unknown> = {}): Uint8Array {
  const now = Date.now();
  const base = {
    service: 'peer',
    instance,
    state: 'ready',
    startedAt: now,
    at: now,
    handled: 1,
    failed: 0,
    inFlight: 0,
    sagasActive: 0,
    transport: 'in-memory',
    connected: true,
    reconnects: 0,
  };
  return encoder.encode(JSON.stringify({ ...base, ...fields }));
}

describe('cluster membership, hostile announcements', () => {
  const broker = new InMemoryBroker();
  const forger = new InMemoryTransport({ broker });
  let app: INestApplicationContext;
  let cluster: CatgaCluster;

  before(async () => {
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'self', transport: new InMemoryTransport({ broker }), cluster: { maxMembers: 5 } })],
    })
    class AppModule {}
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    cluster = app.get(CatgaCluster);
  });

  after(async () => {
    await app?.close();
    await forger.close();
  });

  const member = (instance: string) => cluster.view().find((m) => m.instance === instance);

  it('a known peer whose next announcement has an object for a count is refused, and the view keeps what it knew', async () => {
    await forger.presence.announce(announcement('p1', { reconnects: 2 }));
    await eventually(() => assert.equal(member('p1')?.reconnects, 2));
    const refused = cluster.refusedAnnouncements;
    await forger.presence.announce(announcement('p1', { reconnects: { toString: 1 }, handled: 99 }));
    await eventually(() => assert.equal(cluster.refusedAnnouncements, refused + 1));
    assert.equal(member('p1')?.reconnects, 2);
    assert.equal(member('p1')?.handled, 1);
  });

  it('keeps only the known fields, and refuses markup in a name, a string for a count and an oversized body', async () => {
    await forger.presence.announce(announcement('p2', { junk: 'x'.repeat(100), extra: { nested: true } }));
    await eventually(() => assert.ok(member('p2')));
    assert.equal('junk' in member('p2')!, false);
    assert.equal('extra' in member('p2')!, false);
    const refused = cluster.refusedAnnouncements;
    await forger.presence.announce(announcement('<img src=x onerror=alert(1)>'));
    await forger.presence.announce(announcement('p3', { inFlight: '<b>1</b>' }));
    await forger.presence.announce(announcement('p4', { junk: 'x'.repeat(300_000) }));
    await forger.presence.announce(encoder.encode('[1,2,3]'));
    await eventually(() => assert.equal(cluster.refusedAnnouncements, refused + 4));
    assert.equal(member('p3'), undefined);
    assert.equal(member('p4'), undefined);
    assert.ok(cluster.view().every((m) => /^[\w.:@/-]+$/.test(m.instance)));
  });

  it('keeps the request types a peer says it handles, and refuses a list of anything but type names', async () => {
    await forger.presence.announce(announcement('p5', { handles: ['orders.place-order', 'orders.get_order'] }));
    await eventually(() => assert.deepEqual(member('p5')?.handles, ['orders.place-order', 'orders.get_order']));
    const refused = cluster.refusedAnnouncements;
    await forger.presence.announce(announcement('p6', { handles: ['<script>'] }));
    await forger.presence.announce(announcement('p7', { handles: 'orders.place-order' }));
    await forger.presence.announce(announcement('p8', { handles: [{ type: 'x' }] }));
    await eventually(() => assert.equal(cluster.refusedAnnouncements, refused + 3));
    assert.equal(member('p6'), undefined);
    assert.equal(member('p7'), undefined);
    assert.equal(member('p8'), undefined);
  });

  it('holds at most maxMembers instances, whatever a forger announces', async () => {
    for (let i = 0; i < 50; i++) await forger.presence.announce(announcement(`flood-${i}`));
    await eventually(() => assert.ok(cluster.refusedAnnouncements >= 45));
    assert.ok(cluster.view().length <= 5, `${cluster.view().length} members`);
  });
});

describe('cluster membership, a full view', () => {
  const broker = new InMemoryBroker();
  const forger = new InMemoryTransport({ broker });
  let app: INestApplicationContext;
  let cluster: CatgaCluster;

  before(async () => {
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'self',
          transport: new InMemoryTransport({ broker }),
          cluster: { maxMembers: 5, heartbeatMs: 250, suspectAfterBeats: 2 },
        }),
      ],
    })
    class AppModule {}
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    cluster = app.get(CatgaCluster);
  });

  after(async () => {
    await app?.close();
    await forger.close();
  });

  it('refuses a newcomer while every member is heard from, and lets it in once forged ids fall silent', async () => {
    for (let i = 0; i < 4; i++) await forger.presence.announce(announcement(`one-off-${i}`));
    await eventually(() => assert.equal(cluster.view().length, 5));
    const refused = cluster.refusedAnnouncements;
    await forger.presence.announce(announcement('real-new'));
    await eventually(() => assert.equal(cluster.refusedAnnouncements, refused + 1));
    assert.equal(
      cluster.view().some((m) => m.instance === 'real-new'),
      false,
    );
    // The one-off ids never announce again: they turn suspect, and the real instance, heartbeating, gets in.
    await eventually(async () => {
      await forger.presence.announce(announcement('real-new'));
      assert.ok(cluster.view().some((m) => m.instance === 'real-new'));
    });
    assert.ok(cluster.view().length <= 5, `${cluster.view().length} members`);
  });
});

describe('cluster traffic, from the announcements', () => {
  const broker = new InMemoryBroker();
  const forger = new InMemoryTransport({ broker });
  let app: INestApplicationContext;
  let cluster: CatgaCluster;

  before(async () => {
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'self', transport: new InMemoryTransport({ broker }), cluster: { heartbeatMs: 100 } })],
    })
    class AppModule {}
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    cluster = app.get(CatgaCluster);
  });

  after(async () => {
    await app?.close();
    await forger.close();
  });

  const window = (types: unknown[], extra: Record<string, unknown> = {}) => ({
    ms: 100,
    types,
    sagas: { started: 2, completed: 1, compensated: 0, failed: 0 },
    deadLettered: 0,
    ...extra,
  });

  it('charts what peers announce per service and type, and draws the edges between them', async () => {
    const send = (instance: string, service: string, types: unknown[]) =>
      forger.presence.announce(announcement(instance, { service, traffic: window(types) }));
    await eventually(
      async () => {
        await send('api-1', 'api', [{ type: 'shop.place', kind: 'command', roles: ['sends'], sent: 5 }]);
        await send('orders-1', 'orders', [
          { type: 'shop.place', kind: 'command', roles: ['handles'], handled: 5, p50Ms: 2, p99Ms: 9 },
          { type: 'shop.placed', kind: 'event', roles: ['publishes'], published: 5 },
        ]);
        await send('mail-1', 'mail', [{ type: 'shop.placed', kind: 'event', roles: ['handles'], handled: 4, failed: 1, p99Ms: 30 }]);
        const traffic = cluster.trafficHistory();
        const place = traffic.types.find((t) => t.service === 'orders' && t.type === 'shop.place');
        assert.ok(place && place.handled.some((n) => n > 0), 'orders handled shop.place');
        assert.ok(place.p99Ms.some((p) => p === 9));
        const api = traffic.services.find((s) => s.service === 'api');
        assert.ok(api && api.sagasStarted.some((n) => n > 0));
        const { edges } = cluster.topology();
        assert.deepEqual(
          edges.map((e) => `${e.from} -${e.type}-> ${e.to}`),
          ['api -shop.place-> orders', 'orders -shop.placed-> mail'],
        );
        assert.ok(edges.every((e) => e.perSecond > 0));
      },
      5_000,
      100,
    );
  });

  it('refuses an announcement whose traffic is not what it should be', async () => {
    const refused = cluster.refusedAnnouncements;
    await forger.presence.announce(announcement('t1', { traffic: window([{ type: '<b>', kind: 'command', roles: [] }]) }));
    await forger.presence.announce(announcement('t2', { traffic: window([{ type: 'a', kind: 'command', roles: ['owns'] }]) }));
    await forger.presence.announce(announcement('t3', { traffic: window([{ type: 'a', kind: 'command', roles: [], handled: -1 }]) }));
    await forger.presence.announce(announcement('t4', { traffic: window([], { sagas: { started: '1' } }) }));
    await forger.presence.announce(announcement('t5', { traffic: window([], { p99Ms: Number.MAX_VALUE }) }));
    await eventually(() => assert.equal(cluster.refusedAnnouncements, refused + 5));
    assert.ok(['t1', 't2', 't3', 't4', 't5'].every((id) => !cluster.view().some((m) => m.instance === id)));
  });

  it('announces its own traffic, so the others see what it handled', async () => {
    const self = cluster.view().find((m) => m.self)!;
    assert.ok(self.traffic, 'its last window is in its own entry');
    assert.ok(cluster.trafficHistory().services.some((s) => s.service === 'self'));
  });
});
