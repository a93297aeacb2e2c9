import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertDocumentedDefaults } from '@catga/core/conformance';
import { NATS_DEFAULTS, resolveNatsSettings } from './nats-settings.js';

describe('resolveNatsSettings', () => {
  it('an option left out takes its default, and the stream names come from the prefix', () => {
    const s = resolveNatsSettings({ servers: 'nats://a:4222, nats://b:4222', subjectPrefix: 'shop.eu' });
    assert.deepEqual(s.servers, ['nats://a:4222', 'nats://b:4222']);
    assert.equal(s.attemptTimeoutMs, NATS_DEFAULTS.attemptTimeoutMs);
    assert.deepEqual(s.consumer, NATS_DEFAULTS.consumer);
    assert.equal(s.stream.name, 'SHOP_EU_EVENTS');
    assert.equal(s.deadLetterStream.name, 'SHOP_EU_DLQ');
  });

  it('stream.name names the event stream and leaves the dead-letter stream named from the prefix', () => {
    const s = resolveNatsSettings({ servers: 'nats://a:4222', subjectPrefix: 'shop', stream: { name: 'ORDERS' } });
    assert.equal(s.stream.name, 'ORDERS');
    assert.equal(s.deadLetterStream.name, 'SHOP_DLQ');
  });

  it('the dead-letter stream keeps limits retention and at least 30 days, with the event stream’s other limits', () => {
    const s = resolveNatsSettings({ servers: 'nats://a:4222', stream: { retention: 'interest', maxAgeMs: 1_000, replicas: 3 } });
    assert.equal(s.deadLetterStream.retention, 'limits');
    assert.equal(s.deadLetterStream.maxAgeMs, NATS_DEFAULTS.deadLetterMinAgeMs);
    assert.equal(s.deadLetterStream.replicas, 3);
  });

  it('a stream name JetStream would refuse, or the dead-letter stream’s own, fails at once', () => {
    assert.throws(() => resolveNatsSettings({ servers: 'nats://a:4222', stream: { name: 'orders.events' } }), /Invalid stream name/);
    assert.throws(() => resolveNatsSettings({ servers: 'nats://a:4222', stream: { name: 'CATGA_DLQ' } }), /dead-letter stream/);
  });
});

describe('NATS transport options', () => {
  it('the options table in docs/nats.md lists every default resolveNatsSettings applies', () => {
    const { deadLetterMinAgeMs: _notAnOption, ...defaults } = NATS_DEFAULTS;
    assertDocumentedDefaults(new URL('../../../docs/nats.md', import.meta.url), '## Options', defaults);
  });
});
