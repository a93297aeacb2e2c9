import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TransportUnavailableError } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { freePort, ManagedProcess, pollUntil } from '@catga/testing';
import { Redis } from 'ioredis';
import { ownRedis } from './redis-streams.spec-helper.js';
import { RedisStreamsTransport } from './redis-streams.transport.js';

const ANSWERER = fileURLToPath(new URL('./redis-liveness-answerer.spec-helper.js', import.meta.url));
/** How long a check waits for an answer here; well over a round trip on loopback. */
const PROBE_MS = 300;
/** A killed instance must be gone within this of its exit: the kernel closes its socket at once. */
const GONE_BOUND_MS = 500;

describe('Redis Streams liveness', () => {
  const redis = ownRedis();
  const children: ManagedProcess[] = [];
  after(async () => {
    await Promise.allSettled(children.map((c) => c.kill('SIGKILL')));
  });

  /** A fresh instance address, `<service>:<instance>@<epoch>`. */
  const address = () => `live:i-${uniqueSuffix()}@${Date.now().toString(36)}`;

  /** A process answering for `at` under `keyPrefix`, and a checker that has heard it answer. */
  async function answererProcess(keyPrefix: string, at: string) {
    const child = new ManagedProcess({
      name: 'liveness answerer',
      command: process.execPath,
      args: [ANSWERER, redis.server.url, keyPrefix, at],
      logFile: join(tmpdir(), `catga-liveness-answerer-${uniqueSuffix()}.log`),
    });
    children.push(child);
    await child.start();
    const checker = redis.transport({ keyPrefix, instanceId: 'checker' });
    await pollUntil(
      async () => {
        const liveness = await checker.liveness.check(at, PROBE_MS);
        if (liveness !== 'alive') throw new Error(`the answerer is ${liveness}`);
      },
      { description: 'the answerer process answering', timeoutMs: 20_000, intervalMs: 50, abortIf: () => child.assertRunning() },
    );
    return { child, checker };
  }

  it('an instance whose process was SIGKILLed is gone within half a second of its exit', async () => {
    const at = address();
    const { child, checker } = await answererProcess(`live${uniqueSuffix()}`, at);
    await child.kill('SIGKILL');
    const exitedAt = performance.now();
    const seen = await pollUntil(
      async () => {
        const liveness = await checker.liveness.check(at, PROBE_MS);
        if (liveness !== 'gone') throw new Error(`still ${liveness}`);
        return performance.now() - exitedAt;
      },
      { description: 'the killed instance gone', timeoutMs: 5_000, intervalMs: 10 },
    );
    console.log(`SIGKILLed answerer: gone ${seen.toFixed(1)} ms after its exit`);
    assert.ok(seen < GONE_BOUND_MS, `gone ${Math.round(seen)} ms after the exit`);
  });

  it('an instance whose process is frozen (SIGSTOP) is silent, and alive again once resumed', async () => {
    const at = address();
    const { child, checker } = await answererProcess(`live${uniqueSuffix()}`, at);
    child.pause();
    try {
      const started = performance.now();
      assert.equal(await checker.liveness.check(at, PROBE_MS), 'silent');
      assert.ok(performance.now() - started >= PROBE_MS - 5, 'silent only once the timeout passed');
    } finally {
      child.resume();
    }
    assert.equal(await checker.liveness.check(at, 5_000), 'alive');
  });

  it('an instance subscribed but not answering is silent, never gone', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    const mute = redis.client();
    await mute.subscribe(`${keyPrefix}:rs:live:{${at}}`);
    const checker = redis.transport({ keyPrefix, instanceId: 'checker' });
    assert.equal(await checker.liveness.check(at, PROBE_MS), 'silent');
  });

  it('a check while Redis is unreachable rejects instead of reporting the owner gone or silent', async () => {
    const client = new Redis(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => 200 });
    client.on('error', () => undefined);
    const checker = new RedisStreamsTransport({ client, closeClient: true, keyPrefix: `live${uniqueSuffix()}`, instanceId: 'cut-off' });
    try {
      await assert.rejects(checker.liveness.check(address(), PROBE_MS), TransportUnavailableError);
    } finally {
      await checker.close();
    }
  });

  it('a check in flight when its transport closes rejects', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    await redis.client().subscribe(`${keyPrefix}:rs:live:{${at}}`);
    const checker = new RedisStreamsTransport({ client: redis.client(), keyPrefix, instanceId: 'closing' });
    const check = checker.liveness.check(at, 10_000);
    const admin = redis.client();
    await pollUntil(
      async () => {
        if ((await admin.pubsub('CHANNELS', `${keyPrefix}:rs:live-reply:*`)).length === 0) throw new Error('not listening for answers yet');
      },
      { description: 'the check waiting for its answer', timeoutMs: 5_000, intervalMs: 20 },
    );
    const rejected = assert.rejects(check, TransportUnavailableError);
    await checker.close();
    await rejected;
  });

  it('a closed transport answers no more and leaves no subscription behind', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    const [owner, checker] = [redis.transport({ keyPrefix, instanceId: 'owner' }), redis.transport({ keyPrefix, instanceId: 'checker' })];
    await owner.liveness.answer(at);
    assert.equal(await owner.liveness.check(address(), PROBE_MS), 'gone', 'the owner checks too, on the same connection');
    assert.equal(await checker.liveness.check(at, PROBE_MS), 'alive');
    await owner.close();
    assert.equal(await checker.liveness.check(at, PROBE_MS), 'gone');
    await checker.close();
    const admin = redis.client();
    assert.deepEqual(await admin.pubsub('CHANNELS', `${keyPrefix}:*`), []);
    await assert.rejects(owner.liveness.check(at, PROBE_MS), TransportUnavailableError);
  });

  it('malformed probes and probes asking for an answer outside the prefix go unanswered; good ones still are', async () => {
    const keyPrefix = `live${uniqueSuffix()}`;
    const at = address();
    const owner = redis.transport({ keyPrefix, instanceId: 'owner' });
    await owner.liveness.answer(at);
    const foreign = redis.client();
    const heard: string[] = [];
    foreign.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
    await foreign.subscribe('elsewhere', `${keyPrefix}:rs:live-reply:{x}`);
    const publisher = redis.client();
    const channel = `${keyPrefix}:rs:live:{${at}}`;
    for (const probe of ['not json', '[]', '{"r":"elsewhere","t":"1"}', `{"r":"${keyPrefix}:rs:live-reply:{x}","t":""}`, 'x'.repeat(5000)])
      await publisher.publish(channel, probe);
    await publisher.publish(channel, JSON.stringify({ r: `${keyPrefix}:rs:live-reply:{x}`, t: 'ok' }));
    await pollUntil(() => assert.deepEqual(heard, [`${keyPrefix}:rs:live-reply:{x} ok`]), {
      description: 'the one good probe answered',
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    const checker = redis.transport({ keyPrefix, instanceId: 'checker' });
    assert.equal(await checker.liveness.check(at, PROBE_MS), 'alive');
    assert.deepEqual(heard, [`${keyPrefix}:rs:live-reply:{x} ok`]);
  });
});
