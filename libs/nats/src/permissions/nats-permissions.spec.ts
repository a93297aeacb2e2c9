import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natsAccountsConfig } from './nats-accounts.config.js';
import { natsPermissions, RESPONSES_PER_REQUEST } from './nats-permissions.js';

describe('natsPermissions', () => {
  const billing = natsPermissions('billing', {
    serves: ['billing.charge'],
    sends: ['ledger.post'],
    publishes: ['billing.charged'],
    consumes: [{ handler: 'OrderPlacedHandler', type: 'orders.placed' }],
  });

  it("lets a service subscribe to what it serves, its own inbox, presence, its own liveness and its groups' redrives, nothing more", () => {
    assert.deepEqual([...billing.subscribe.allow].sort(), [
      '_INBOX_billing.>',
      'catga.live.billing.*',
      'catga.presence',
      'catga.req.billing.charge',
      'catga.req.catga.redrive.billing.OrderPlacedHandler',
    ]);
    assert.deepEqual(billing.allow_responses, { max: RESPONSES_PER_REQUEST });
  });

  it('lets it publish what it sends and publishes, and work its own consumer, but never delete or purge a stream', () => {
    const publish = billing.publish.allow;
    for (const subject of [
      'catga.req.ledger.post',
      'catga.evt.billing.charged',
      'catga.dlq.orders.placed',
      '$JS.API.CONSUMER.MSG.NEXT.CATGA_EVENTS.billing_OrderPlacedHandler__orders_placed',
      '$JS.ACK.CATGA_EVENTS.billing_OrderPlacedHandler__orders_placed.>',
      '$JS.API.STREAM.CREATE.CATGA_EVENTS',
    ]) {
      assert.ok(publish.includes(subject), subject);
    }
    assert.ok(
      !publish.some((s) => /DELETE|PURGE|\.>$/.test(s) && !s.startsWith('$JS.ACK.') && !s.includes('.CONSUMER.CREATE.')),
      publish.join('\n'),
    );
    assert.ok(!publish.includes('catga.req.billing.charge'), 'a service does not send to itself unless it says so');
  });

  it('a service that serves nothing still answers liveness checks, and may ask any instance', () => {
    const api = natsPermissions('api', { sends: ['billing.charge'] });
    assert.deepEqual(api.allow_responses, { max: RESPONSES_PER_REQUEST });
    assert.ok(api.subscribe.allow.includes('catga.live.api.*'));
    assert.ok(!api.subscribe.allow.includes('catga.live.billing.*'), 'not the liveness of another service');
    assert.ok(api.publish.allow.includes('catga.live.*.*'));
  });

  it('uses the transport prefix and stream name', () => {
    const p = natsPermissions('billing', { consumes: [{ handler: 'H', type: 't' }] }, { prefix: 'shop', stream: 'SHOP_ALL' });
    assert.ok(p.publish.allow.includes('$JS.API.CONSUMER.INFO.SHOP_ALL.billing_H__t'));
    assert.ok(p.publish.allow.includes('$JS.API.STREAM.INFO.SHOP_DLQ'));
    assert.ok(p.subscribe.allow.includes('shop.presence'));
  });
});

describe('natsAccountsConfig', () => {
  it('writes one user per service with its password read from the server environment', () => {
    const conf = natsAccountsConfig({ 'order-api': { sends: ['orders.place'] } });
    assert.match(conf, /user: "order-api"\n\s+password: \$NATS_PASSWORD_ORDER_API\n/);
    assert.match(conf, /jetstream: enabled/);
    assert.match(conf, new RegExp(`allow_responses: \\{ max: ${RESPONSES_PER_REQUEST} \\}`));
  });

  it('refuses a name that would break out of its string', () => {
    assert.throws(() => natsAccountsConfig({ 'a"b': {} }), /Cannot write/);
  });
});
