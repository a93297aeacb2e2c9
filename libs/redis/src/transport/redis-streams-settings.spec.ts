import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { assertDocumentedDefaults } from '@catga/core/conformance';
import { resolveRedisStreamsSettings } from './redis-streams-settings.js';

describe('Redis Streams transport settings', () => {
  const client = new Redis({ lazyConnect: true });

  it('an option left out takes the default its doc comment names', () => {
    const { client: _client, ...defaults } = resolveRedisStreamsSettings({ client, instanceId: 'i' });
    assert.deepEqual(defaults, {
      closeClient: false,
      keyPrefix: 'catga',
      instanceId: 'i',
      blockMs: 1_000,
      maxDeliveries: 5,
      redeliveryDelayMs: 200,
      ackWaitMs: 1_000,
      maxPayloadBytes: 1024 * 1024,
      streamMaxLength: 100_000,
      concurrency: 64,
    });
  });

  it('an option given is kept as given', () => {
    const settings = resolveRedisStreamsSettings({
      client,
      instanceId: 'i',
      keyPrefix: 'shop',
      blockMs: 50,
      maxDeliveries: 2,
      concurrency: 4,
    });
    assert.equal(settings.client, client);
    assert.equal(settings.keyPrefix, 'shop');
    assert.equal(settings.blockMs, 50);
    assert.equal(settings.maxDeliveries, 2);
    assert.equal(settings.concurrency, 4);
  });
});

describe('Redis Streams transport options', () => {
  it('the options table in docs/redis.md lists every default resolveRedisStreamsSettings applies', () => {
    const {
      client: _client,
      instanceId: _instanceId,
      ...defaults
    } = resolveRedisStreamsSettings({ client: new Redis({ lazyConnect: true }), instanceId: 'i' });
    assertDocumentedDefaults(new URL('../../../../docs/redis.md', import.meta.url), '### Options', defaults);
  });
});
