import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type DeadLetter, withTimeout } from '@catga/core/transport';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { ManagedProcess, pollUntil } from '@catga/testing';
import type { Redis } from 'ioredis';

import { ownRedis, testEnvelope } from './redis-streams.spec-helper.js';
import { resolveRedisStreamsSettings } from './redis-streams-settings.js';

const HOLDER = fileURLToPath(new URL('./redis-streams-holder.spec-helper.js', import.meta.url));
/** Short, so that a handling outlasts it several times within a test. */
const ACK_WAIT_MS = 300;
/** Five times the ack wait. */
const SLOW_MS = 5 * ACK_WAIT_MS;

type PendingEntry = [id: string, consumer: string, idleMs: number, deliveries: number];

/** The group's pending entries of `key`, sampled every 50 ms until `done` settles. */
async function pendingWhile(client: Redis, key: string, done: Promise<unknown>): Promise<PendingEntry[]> {
  const samples: PendingEntry[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    samples.push(...((await client.xpending(key, 'g', '-', '+', 10)) as PendingEntry[]));
    await delay(50);
  }
  return samples;
}

describe('Redis Streams transport: entries in hand are kept alive', () => {
  const redis = ownRedis();
  const children: ManagedProcess[] = [];
  after(async () => {
    await Promise.allSettled(children.map((c) => c.kill('SIGKILL')));
  });

  it('an event handled for five times ackWaitMs stays with its reader: handled once, its delivery count 1 throughout', async () => {
    const keyPrefix = `ka${uniqueSuffix()}`;
    const type = 'ka.slow';
    const client = redis.client();
    const handled: Array<{ by: string; attempt: number }> = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const [a] = await Promise.all(
      ['a', 'b'].map(async (by) => {
        const transport = redis.transport({ keyPrefix, instanceId: by, blockMs: 100, ackWaitMs: ACK_WAIT_MS });
        await transport.subscribe(
          type,
          async (_envelope, delivery) => {
            handled.push({ by, attempt: delivery.attempt });
            await delay(SLOW_MS);
            finish();
          },
          { group: 'g' },
        );
        return transport;
      }),
    );
    await a!.publish(testEnvelope(type, 'event'));
    const samples = await pendingWhile(
      client,
      `${keyPrefix}:rs:evt:{${type}}`,
      withTimeout(finished, 10_000, () => new Error('never handled')),
    );
    await delay(3 * ACK_WAIT_MS);
    assert.equal(handled.length, 1, `handled by ${JSON.stringify(handled)}`);
    assert.equal(handled[0]!.attempt, 1);
    assert.ok(samples.length > 10, `${samples.length} samples of the pending entry`);
    assert.deepEqual(new Set(samples.map(([, consumer]) => consumer)).size, 1, 'one consumer held it');
    assert.deepEqual([...new Set(samples.map(([, , , deliveries]) => deliveries))], [1], 'delivered once');
    assert.ok(Math.max(...samples.map(([, , idle]) => idle)) < ACK_WAIT_MS, 'never idle for ackWaitMs');
    await eventually(async () => assert.equal(((await client.xpending(`${keyPrefix}:rs:evt:{${type}}`, 'g')) as [number])[0], 0));
  });

  it('a request handled for five times ackWaitMs stays with its replica: answered once, its delivery count 1 throughout', async () => {
    const keyPrefix = `ka${uniqueSuffix()}`;
    const type = 'ka.slow-request';
    const client = redis.client();
    const handled: string[] = [];
    for (const by of ['a', 'b']) {
      const transport = redis.transport({ keyPrefix, instanceId: by, blockMs: 100, ackWaitMs: ACK_WAIT_MS });
      await transport.serve(
        type,
        async () => {
          handled.push(by);
          await delay(SLOW_MS);
          return { ok: true, result: by };
        },
        { group: 'g' },
      );
    }
    const caller = redis.transport({ keyPrefix, instanceId: 'caller', blockMs: 100 });
    const reply = caller.request(testEnvelope(type, 'command'), { timeoutMs: 10_000 });
    const samples = await pendingWhile(client, `${keyPrefix}:rs:req:{${type}}`, reply);
    assert.deepEqual(await reply, { ok: true, result: handled[0] });
    await delay(3 * ACK_WAIT_MS);
    assert.equal(handled.length, 1, `handled by ${JSON.stringify(handled)}`);
    assert.ok(samples.length > 10, `${samples.length} samples of the pending entry`);
    assert.deepEqual([...new Set(samples.map(([, , , deliveries]) => deliveries))], [1], 'delivered once');
    assert.ok(Math.max(...samples.map(([, , idle]) => idle)) < ACK_WAIT_MS, 'never idle for ackWaitMs');
  });

  it('an event failing slowly is dead-lettered after maxDeliveries deliveries of its reader, counted once each', async () => {
    const keyPrefix = `ka${uniqueSuffix()}`;
    const type = 'ka.failing';
    const attempts: Array<{ by: string; attempt: number }> = [];
    const transports = ['a', 'b'].map((by) =>
      // A redelivery delay over the ack wait: the entry waiting to be claimed back is kept alive too.
      redis.transport({ keyPrefix, instanceId: by, blockMs: 100, ackWaitMs: ACK_WAIT_MS, redeliveryDelayMs: 2 * ACK_WAIT_MS }),
    );
    for (const [i, transport] of transports.entries()) {
      const by = i === 0 ? 'a' : 'b';
      await transport.subscribe(
        type,
        async (_envelope, delivery) => {
          attempts.push({ by, attempt: delivery.attempt });
          await delay(2 * ACK_WAIT_MS);
          throw new Error('fails slowly');
        },
        { group: 'g', maxDeliveries: 3 },
      );
    }
    let deadLettered!: (deadLetter: DeadLetter) => void;
    const deadLetter = new Promise<DeadLetter>((resolve) => (deadLettered = resolve));
    await transports[0]!.subscribeDeadLetters(async (d) => deadLettered(d));
    await transports[0]!.publish(testEnvelope(type, 'event'));
    const dead = await withTimeout(deadLetter, 20_000, () => new Error(`not dead-lettered after ${JSON.stringify(attempts)}`));
    assert.equal(dead.deliveries, 3);
    assert.deepEqual(
      attempts.map((a) => a.attempt),
      [1, 2, 3],
    );
    assert.equal(new Set(attempts.map((a) => a.by)).size, 1, `handled by ${JSON.stringify(attempts)}`);
  });

  it('a transport closing while a handling outlasts ackWaitMs keeps its entry until the handling ends, then leaves no timer', async () => {
    const keyPrefix = `ka${uniqueSuffix()}`;
    const type = 'ka.close';
    const client = redis.client();
    // Timers created from here on that have neither fired nor been cleared.
    const timers = new Map<number, string>();
    const hook = createHook({
      init: (asyncId, type) => void (type === 'Timeout' && timers.set(asyncId, new Error().stack ?? '')),
      destroy: (asyncId) => void timers.delete(asyncId),
    }).enable();
    const transport = redis.transport({ keyPrefix, instanceId: 'closing', blockMs: 100, ackWaitMs: ACK_WAIT_MS });
    let started!: () => void;
    const inHand = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    await transport.subscribe(
      type,
      async () => {
        started();
        await delay(SLOW_MS);
        finished = true;
      },
      { group: 'g' },
    );
    await transport.publish(testEnvelope(type, 'event'));
    await withTimeout(inHand, 10_000, () => new Error('never handled'));
    const key = `${keyPrefix}:rs:evt:{${type}}`;
    const samples = await pendingWhile(client, key, transport.close());
    assert.equal(finished, true, 'close waited for the handling');
    assert.ok(Math.max(...samples.map(([, , idle]) => idle)) < ACK_WAIT_MS, 'kept alive while closing');
    assert.equal(((await client.xpending(key, 'g')) as [number])[0], 0, 'acked');
    // Destroy hooks run after the event loop turn in which a timer fired or was cleared.
    await new Promise((resolve) => setImmediate(resolve));
    hook.disable();
    assert.deepEqual([...timers.values()], [], 'timers left after close');
  });

  /** A holder process reading `type`, holding one event just published; `handleMs` absent: it never finishes. */
  async function holdingProcess(type: string, handleMs?: number) {
    const keyPrefix = `ka${uniqueSuffix()}`;
    const key = `${keyPrefix}:rs:evt:{${type}}`;
    const client = redis.client();
    const holder = new ManagedProcess({
      name: 'entry holder',
      command: process.execPath,
      args: [HOLDER, redis.server.url, keyPrefix, type, ...(handleMs === undefined ? [] : [String(handleMs)])],
      logFile: join(tmpdir(), `catga-entry-holder-${uniqueSuffix()}.log`),
    });
    children.push(holder);
    await holder.start();
    const poll = { timeoutMs: 20_000, intervalMs: 20, abortIf: () => holder.assertRunning() };
    await pollUntil(async () => assert.equal(((await client.xinfo('GROUPS', key)) as unknown[]).length, 1), {
      ...poll,
      description: 'the holder reading',
    });
    const envelope = testEnvelope(type, 'event');
    await redis.transport({ keyPrefix, instanceId: 'publisher' }).publish(envelope);
    await pollUntil(async () => assert.equal(((await client.xpending(key, 'g')) as [number])[0], 1), {
      ...poll,
      description: 'the holder holding the event',
    });
    const [[entryId]] = (await client.xpending(key, 'g', '-', '+', 1)) as [PendingEntry];
    return { holder, client, key, keyPrefix, id: envelope.id, entryId };
  }

  it('an event held by a SIGKILLed replica is handled by another within the default ackWaitMs and a sweep, as delivery 2', async () => {
    const type = 'ka.killed';
    const { holder, keyPrefix } = await holdingProcess(type);
    const { ackWaitMs } = resolveRedisStreamsSettings({ client: redis.client(), instanceId: 'defaults' });
    let handled!: (attempt: number) => void;
    const handledBySurvivor = new Promise<number>((resolve) => (handled = resolve));
    const survivor = redis.transport({ keyPrefix, instanceId: 'survivor', blockMs: 200 });
    await survivor.subscribe(type, async (_envelope, delivery) => handled(delivery.attempt), { group: 'g' });
    // While the holder lives, its entry stays with it however long the handling takes.
    const notYet = await Promise.race([handledBySurvivor, delay(2 * ackWaitMs, 'still held')]);
    assert.equal(notYet, 'still held');
    await holder.kill('SIGKILL');
    const killedAt = performance.now();
    const attempt = await withTimeout(handledBySurvivor, 20_000, () => new Error('never handled after the kill'));
    const tookMs = performance.now() - killedAt;
    console.log(
      `Redis Streams, an event of a SIGKILLed reader: handled by another ${Math.round(tookMs)} ms after the kill (ackWaitMs ${ackWaitMs})`,
    );
    assert.equal(attempt, 2);
    assert.ok(tookMs < 2 * ackWaitMs + 1_000, `handled ${Math.round(tookMs)} ms after the kill`);
  });

  it('the entry of a frozen replica goes to another; resumed, its late handling neither acks nor takes back the entry the other still handles', async () => {
    const type = 'ka.frozen';
    const { holder, client, key, keyPrefix, id, entryId } = await holdingProcess(type, 1_000);
    holder.pause();
    let started!: (attempt: number) => void;
    const survivorHandling = new Promise<number>((resolve) => (started = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const survivor = redis.transport({ keyPrefix, instanceId: 'survivor', blockMs: 200, ackWaitMs: ACK_WAIT_MS });
    await survivor.subscribe(
      type,
      async (_envelope, delivery) => {
        started(delivery.attempt);
        await gate;
      },
      { group: 'g' },
    );
    try {
      assert.equal(await withTimeout(survivorHandling, 20_000, () => new Error('the survivor never claimed the entry')), 2);
    } finally {
      holder.resume();
    }
    // The resumed holder finishes its handling and tries to ack (the warning says it did not).
    await eventually(async () => assert.equal(await client.get(`${keyPrefix}:held:${id}`), '1'), 10_000, 20);
    await eventually(() => assert.match(readFileSync(holder.logFile, 'utf8'), /was not acked/), 10_000, 20);
    await delay(3 * ACK_WAIT_MS);
    const [[pendingId, consumer, , deliveries]] = (await client.xpending(key, 'g', '-', '+', 10)) as [PendingEntry];
    assert.equal(pendingId, entryId);
    assert.match(consumer, /^survivor-/, 'still pending with the survivor');
    assert.equal(deliveries, 2);
    release();
    await eventually(async () => assert.equal(((await client.xpending(key, 'g')) as [number])[0], 0), 10_000, 20);
  });
});
