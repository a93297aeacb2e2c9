import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { withTimeout } from '@catga/core/transport';
import { uniqueSuffix } from '@catga/core/conformance';

import { ownRedis, testEnvelope } from './redis-streams.spec-helper.js';

describe('Redis Streams transport: a group reader at its concurrency limit', () => {
  const redis = ownRedis();

  it('waits for a slot to free instead of waking on a timer while the handler runs', async () => {
    const transport = redis.transport({
      keyPrefix: `slot${uniqueSuffix()}`,
      instanceId: 'slot',
      blockMs: 200,
      concurrency: 1,
    });
    const type = 'slot.evt';
    // Timers created anywhere in this process while the first handler holds the only slot.
    let timers = 0;
    const hook = createHook({
      init(_id, resource) {
        if (resource === 'Timeout') timers++;
      },
    });
    const handled: number[] = [];
    let bothHandled!: () => void;
    const done = new Promise<void>((resolve) => (bothHandled = resolve));
    await transport.subscribe(
      type,
      async (env) => {
        const n = (env.body as { n: number }).n;
        if (n === 1) {
          hook.enable();
          await delay(300);
          hook.disable();
        }
        handled.push(n);
        if (handled.length === 2) bothHandled();
      },
      { group: 'g' },
    );
    await transport.publish(testEnvelope(type, 'event', { n: 1 }));
    await transport.publish(testEnvelope(type, 'event', { n: 2 }));
    await withTimeout(done, 10_000, () => new Error(`handled ${JSON.stringify(handled)} of [1, 2]`));
    assert.deepEqual(handled, [1, 2]);
    await transport.close();
    assert.ok(timers < 10, `${timers} timers were set while the reader waited 300 ms for its slot`);
  });

  it('stops at once while waiting for a slot, leaving the handler in hand to finish', async () => {
    const transport = redis.transport({
      keyPrefix: `slot${uniqueSuffix()}`,
      instanceId: 'slot',
      blockMs: 5_000,
      concurrency: 1,
    });
    const type = 'slot.stop';
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inHand = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    const sub = await transport.subscribe(
      type,
      async () => {
        started();
        await gate;
        finished = true;
      },
      { group: 'g' },
    );
    await transport.publish(testEnvelope(type, 'event', { n: 1 }));
    await withTimeout(inHand, 10_000, () => new Error('the event never reached the handler'));
    await withTimeout(sub.unsubscribe(), 2_000, () => new Error('unsubscribe waited for the handler in hand'));
    assert.equal(finished, false);
    release();
    await transport.close();
    assert.equal(finished, true);
  });
});
