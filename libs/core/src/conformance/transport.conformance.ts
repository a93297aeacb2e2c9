import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../envelope/envelope.js';
import { newMessageId } from '../envelope/message-id.js';
import { CatgaError } from '../errors/catga.error.js';
import { HandlerNotFoundError, ShuttingDownError, TimeoutError, ValidationFailedError } from '../errors/catga-errors.js';
import { serializeError } from '../errors/error.serializer.js';
import { ownerAddress, PROCESS_EPOCH } from '../liveness/owner-address.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { DeadLetter, Delivery, Transport } from '../transport/transport.interface.js';
import { eventually, uniqueSuffix } from './eventually.js';

export interface TransportHarness {
  /** A new transport instance, a peer of every other one this harness made (same network). */
  createPeer(): Promise<Transport>;
  /** Releases what the harness holds (servers, streams); peers are closed by the suite. */
  dispose(): Promise<void>;
}

export interface TransportConformanceOptions {
  /** Prefix for the message types the suite uses, so concurrent runs do not meet. */
  typePrefix?: string;
  /** Upper bound for waiting on deliveries, in ms. Default 10000. */
  deliveryTimeoutMs?: number;
  /**
   * The carrier counts a delivery that was refused for shutdown, so the next one is attempt 2
   * (JetStream: a nak cannot take a delivery back). Default false: the next one is attempt 1.
   */
  countsRefusedDelivery?: boolean;
}

function envelope(type: string, kind: MessageKind, body: unknown, extra: Partial<Envelope> = {}): Envelope {
  const id = newMessageId();
  return {
    id,
    type,
    kind,
    correlationId: extra.correlationId ?? id,
    causationId: extra.causationId,
    timestamp: Date.now(),
    headers: extra.headers ?? {},
    body,
  };
}

/** The behaviour every Transport must have. Call inside a test file; it declares its own tests. */
export function transportConformance(
  name: string,
  setup: () => Promise<TransportHarness>,
  options: TransportConformanceOptions = {},
): void {
  const wait = options.deliveryTimeoutMs ?? 10_000;

  describe(`Transport conformance: ${name}`, () => {
    let harness: TransportHarness;
    const peers: Transport[] = [];
    const type = (label: string) => `${options.typePrefix ?? ''}conf.${uniqueSuffix()}.${label}`;
    const peer = async () => {
      const t = await harness.createPeer();
      await t.start();
      peers.push(t);
      return t;
    };

    before(async () => {
      harness = await setup();
    });

    after(async () => {
      await Promise.allSettled(peers.map((p) => p.close()));
      await harness.dispose();
    });

    it('a request reaches the served handler and its result comes back', async () => {
      const [server, client] = [await peer(), await peer()];
      const t = type('echo');
      await server.serve(t, async (env) => ({ ok: true, result: { echoed: env.body, type: env.type } }), { group: 'svc' });
      const reply = await client.request(envelope(t, 'command', { n: 1 }), { timeoutMs: wait });
      assert.deepEqual(reply, { ok: true, result: { echoed: { n: 1 }, type: t } });
    });

    it('the envelope arrives with its id, correlation, causation, kind and headers', async () => {
      const [server, client] = [await peer(), await peer()];
      const t = type('lineage');
      let seen: Envelope | undefined;
      await server.serve(t, async (env) => ((seen = env), { ok: true, result: null }), { group: 'svc' });
      const sent = envelope(t, 'query', { q: 'x' }, { correlationId: 'corr-1', causationId: 'cause-1', headers: { tenant: 'acme' } });
      await client.request(sent, { timeoutMs: wait });
      assert.ok(seen);
      assert.equal(seen.id, sent.id);
      assert.equal(seen.type, t);
      assert.equal(seen.kind, 'query');
      assert.equal(seen.correlationId, 'corr-1');
      assert.equal(seen.causationId, 'cause-1');
      assert.equal(seen.headers.tenant, 'acme');
      assert.equal(seen.timestamp, sent.timestamp);
      assert.deepEqual(JSON.parse(JSON.stringify(seen.body)), { q: 'x' });
    });

    it('an error reply keeps its code, message, retryable flag and message id', async () => {
      const [server, client] = [await peer(), await peer()];
      const t = type('fails');
      await server.serve(
        t,
        async (env) => ({ ok: false, error: serializeError(new ValidationFailedError('bad', [], { messageId: env.id })) }),
        { group: 'svc' },
      );
      const sent = envelope(t, 'command', {});
      const reply = await client.request(sent, { timeoutMs: wait });
      assert.equal(reply.ok, false);
      if (reply.ok) return;
      assert.equal(reply.error.code, 'VALIDATION_FAILED');
      assert.equal(reply.error.message, 'bad');
      assert.equal(reply.error.retryable, false);
      assert.equal(reply.error.messageId, sent.id);
    });

    it('a request for a type nobody serves fails at once with HandlerNotFoundError', async () => {
      const client = await peer();
      const t = type('nobody');
      const started = Date.now();
      await assert.rejects(client.request(envelope(t, 'command', {}), { timeoutMs: wait }), (e: unknown) => {
        assert.ok(e instanceof HandlerNotFoundError, `got ${String(e)}`);
        assert.match(e.message, new RegExp(t.replace(/\./g, '\\.')));
        return true;
      });
      assert.ok(Date.now() - started < wait / 2, 'did not wait for the timeout');
    });

    it('a request nobody answers in time fails with a retryable TimeoutError', async () => {
      const [server, client] = [await peer(), await peer()];
      const t = type('slow');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await server.serve(t, async () => (await gate, { ok: true, result: 1 }), { group: 'svc' });
      await assert.rejects(client.request(envelope(t, 'command', {}), { timeoutMs: 200 }), (e: unknown) => {
        assert.ok(e instanceof TimeoutError, `got ${String(e)}`);
        assert.equal((e as CatgaError).retryable, true);
        return true;
      });
      release();
    });

    it('replicas in one group share requests, and each request is handled once', async () => {
      const [a, b, client] = [await peer(), await peer(), await peer()];
      const t = type('shared');
      const handledBy: string[] = [];
      await a.serve(t, async () => (handledBy.push('a'), { ok: true, result: 'a' }), { group: 'svc' });
      await b.serve(t, async () => (handledBy.push('b'), { ok: true, result: 'b' }), { group: 'svc' });
      const replies = await Promise.all(Array.from({ length: 40 }, () => client.request(envelope(t, 'command', {}), { timeoutMs: wait })));
      assert.equal(handledBy.length, 40);
      assert.equal(replies.length, 40);
      assert.ok(handledBy.includes('a') && handledBy.includes('b'), `load not spread: ${handledBy.join('')}`);
    });

    it('each durable group receives each event once, shared among its members', async () => {
      const [a1, a2, b1, publisher] = [await peer(), await peer(), await peer(), await peer()];
      const t = type('evt');
      const got = { a: [] as string[], b: [] as string[] };
      const onA = async (env: Envelope) => void got.a.push(env.id);
      await a1.subscribe(t, onA, { group: 'group-a' });
      await a2.subscribe(t, onA, { group: 'group-a' });
      await b1.subscribe(t, async (env) => void got.b.push(env.id), { group: 'group-b' });
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const env = envelope(t, 'event', { i });
        ids.push(env.id);
        await publisher.publish(env);
      }
      await eventually(() => {
        assert.equal(got.a.length, 10);
        assert.equal(got.b.length, 10);
      }, wait);
      assert.deepEqual([...got.a].sort(), [...ids].sort());
      assert.deepEqual([...got.b].sort(), [...ids].sort());
    });

    it('broadcast subscribers each receive every event', async () => {
      const [a, b, publisher] = [await peer(), await peer(), await peer()];
      const t = type('bcast');
      const got = { a: 0, b: 0 };
      await a.subscribe(t, async () => void got.a++, { group: 'cache', mode: 'broadcast' });
      await b.subscribe(t, async () => void got.b++, { group: 'cache', mode: 'broadcast' });
      await publisher.publish(envelope(t, 'event', {}));
      await publisher.publish(envelope(t, 'event', {}));
      await eventually(() => assert.deepEqual(got, { a: 2, b: 2 }), wait);
    });

    it('a failed event is redelivered with a growing attempt number until it succeeds', async () => {
      const [sub, publisher] = [await peer(), await peer()];
      const t = type('flaky');
      const attempts: number[] = [];
      let done = false;
      await sub.subscribe(
        t,
        async (_env, delivery) => {
          attempts.push(delivery.attempt);
          if (delivery.attempt < 3) throw new Error('not yet');
          done = true;
        },
        { group: 'g', maxDeliveries: 5 },
      );
      await publisher.publish(envelope(t, 'event', {}));
      await eventually(() => assert.ok(done), wait);
      assert.deepEqual(attempts, [1, 2, 3]);
    });

    it('an event failing every delivery is dead-lettered with its error and delivery count', async () => {
      const [sub, publisher] = [await peer(), await peer()];
      const t = type('poison');
      const dead: DeadLetter[] = [];
      await publisher.subscribeDeadLetters(async (dl) => {
        if (dl.envelope.type === t) dead.push(dl);
      });
      let deliveries = 0;
      await sub.subscribe(
        t,
        async () => {
          deliveries++;
          throw new ValidationFailedError('never valid');
        },
        { group: 'poison-group', maxDeliveries: 3 },
      );
      const sent = envelope(t, 'event', { p: 1 });
      await publisher.publish(sent);
      await eventually(() => assert.equal(dead.length, 1), wait);
      assert.equal(deliveries, 3);
      assert.equal(dead[0]!.envelope.id, sent.id);
      assert.equal(dead[0]!.deliveries, 3);
      assert.equal(dead[0]!.group, 'poison-group');
      assert.equal(dead[0]!.error.code, 'VALIDATION_FAILED');
    });

    it('a dead letter is kept in its archive: listed by type, group and time, read by id, removed once', async (t) => {
      const [sub, publisher] = [await peer(), await peer()];
      const archive = publisher.deadLetterArchive;
      if (!archive) return t.skip(`${name} keeps no dead letters`);
      const poison = type('archived');
      const other = type('archived-other');
      for (const [ty, group] of [
        [poison, 'archive-group'],
        [other, 'archive-other'],
      ] as const) {
        await sub.subscribe(
          ty,
          async () => {
            throw new ValidationFailedError(`refused ${ty}`);
          },
          { group, maxDeliveries: 1 },
        );
      }
      const before = Date.now();
      const first = envelope(poison, 'event', { n: 1 }, { headers: { 'x-tenant': 'acme' } });
      const second = envelope(poison, 'event', { n: 2 });
      await publisher.publish(first);
      await publisher.publish(second);
      await publisher.publish(envelope(other, 'event', { n: 3 }));
      const listed = await eventually(async () => {
        const found = await archive.list({ type: poison });
        assert.equal(found.length, 2);
        return found;
      }, wait);
      assert.deepEqual(
        listed.map((d) => d.envelope.id),
        [first.id, second.id],
        'oldest first',
      );
      const [head] = listed;
      assert.equal(head!.group, 'archive-group');
      assert.equal(head!.error.code, 'VALIDATION_FAILED');
      assert.equal(head!.headers['x-tenant'], 'acme');
      assert.equal(head!.headers['Catga-Dead-Group'], 'archive-group');
      assert.deepEqual(JSON.parse(new TextDecoder().decode(head!.body)), { n: 1 });
      assert.ok(head!.deadLetteredAt >= before - 1_000);
      await eventually(async () => assert.equal((await archive.list({ type: other })).length, 1), wait);
      assert.deepEqual(await archive.list({ type: poison, group: 'archive-other' }), []);
      assert.equal((await archive.list({ type: poison, limit: 1 })).length, 1);
      assert.deepEqual(await archive.list({ type: poison, since: Date.now() + 60_000 }), []);

      const read = await archive.get(head!.id);
      assert.equal(read?.envelope.id, first.id);
      assert.equal(await archive.get('999999999'), undefined);
      assert.equal(await archive.remove(head!.id), true);
      assert.equal(await archive.remove(head!.id), false);
      assert.equal(await archive.get(head!.id), undefined);
      assert.deepEqual(
        (await archive.list({ type: poison })).map((d) => d.envelope.id),
        [second.id],
      );
    });

    it('drain lets the handler in hand finish, then the other member takes the new events', async () => {
      const [a, b, publisher] = [await peer(), await peer(), await peer()];
      const t = type('drain');
      const got: Array<{ by: string; n: number }> = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inHand = false;
      await a.subscribe(
        t,
        async (env) => {
          inHand = true;
          await gate;
          got.push({ by: 'a', n: (env.body as { n: number }).n });
        },
        { group: 'g' },
      );
      await publisher.publish(envelope(t, 'event', { n: 1 }));
      await eventually(() => assert.ok(inHand), wait);
      await b.subscribe(t, async (env) => void got.push({ by: 'b', n: (env.body as { n: number }).n }), { group: 'g' });
      let drained = false;
      const draining = a.drain().then(() => (drained = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(drained, false, 'drain returned while a handler was in hand');
      release();
      await draining;
      assert.deepEqual(got, [{ by: 'a', n: 1 }]);
      await publisher.publish(envelope(t, 'event', { n: 2 }));
      await eventually(() => assert.equal(got.length, 2), wait);
      assert.deepEqual(got[1], { by: 'b', n: 2 });
    });

    /**
     * Holds one event in `a`'s handler, drains `a` while six more are published, then lets it go;
     * `b` (a member since that event, or one subscribing after the drain) takes the rest.
     */
    const drainWithArrivals = async (bJoins: 'before' | 'after') => {
      const [a, b, publisher] = [await peer(), await peer(), await peer()];
      const t = type(`drain-arrivals-${bJoins}`);
      const dead: DeadLetter[] = [];
      await publisher.subscribeDeadLetters(async (dl) => {
        if (dl.envelope.type === t) dead.push(dl);
      });
      const handled: Array<{ by: string; n: number; attempt: number }> = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inHand = false;
      const handler = (by: string) => async (env: Envelope, delivery: Delivery) => {
        if (by === 'a' && !inHand) {
          inHand = true;
          await gate;
        }
        handled.push({ by, n: (env.body as { n: number }).n, attempt: delivery.attempt });
      };
      const options = { group: 'g', maxDeliveries: 2 };
      await a.subscribe(t, handler('a'), options);
      await publisher.publish(envelope(t, 'event', { n: 0 }));
      await eventually(() => assert.ok(inHand), wait);
      if (bJoins === 'before') await b.subscribe(t, handler('b'), options);
      const draining = a.drain();
      for (let n = 1; n <= 6; n++) await publisher.publish(envelope(t, 'event', { n }));
      release();
      await draining;
      if (bJoins === 'after') await b.subscribe(t, handler('b'), options);
      await eventually(() => assert.equal(handled.length, 7), wait);
      assert.deepEqual(
        handled.map((h) => h.n).sort((x, y) => x - y),
        [0, 1, 2, 3, 4, 5, 6],
        'each event handled once',
      );
      assert.deepEqual(
        handled.filter((h) => h.attempt !== 1),
        [],
        'no delivery was spent on the drain',
      );
      assert.deepEqual(dead, []);
    };

    it('events arriving while the only member drains are each handled once, on their first delivery, by it or the next member', async () => {
      await drainWithArrivals('after');
    });

    it('events arriving while one of two members drains are each handled once, on their first delivery', async () => {
      await drainWithArrivals('before');
    });

    it('an event refused for shutdown goes to the next member uncounted and is not dead-lettered for it', async () => {
      const [a, b, publisher] = [await peer(), await peer(), await peer()];
      const t = type('refused');
      const dead: DeadLetter[] = [];
      await publisher.subscribeDeadLetters(async (dl) => {
        if (dl.envelope.type === t) dead.push(dl);
      });
      let refusals = 0;
      const membership = { group: 'g', maxDeliveries: 2 };
      await a.subscribe(
        t,
        async (env) => {
          refusals++;
          throw new ShuttingDownError('This instance is shutting down', { messageId: env.id });
        },
        membership,
      );
      await publisher.publish(envelope(t, 'event', {}));
      await eventually(() => assert.ok(refusals >= 1), wait);
      await a.drain();
      const attempts: number[] = [];
      await b.subscribe(t, async (_env, delivery) => void attempts.push(delivery.attempt), membership);
      await eventually(() => assert.equal(attempts.length, 1), wait);
      assert.deepEqual(attempts, [options.countsRefusedDelivery ? 2 : 1]);
      assert.deepEqual(dead, []);
    });

    it('events published while a durable group has no member wait for one', async () => {
      const [a, b, publisher] = [await peer(), await peer(), await peer()];
      const t = type('backlog');
      const got: string[] = [];
      const sub = await a.subscribe(t, async (env) => void got.push(`a:${env.id}`), { group: 'g' });
      await sub.unsubscribe();
      const sent = envelope(t, 'event', {});
      await publisher.publish(sent);
      await b.subscribe(t, async (env) => void got.push(`b:${env.id}`), { group: 'g' });
      await eventually(() => assert.deepEqual(got, [`b:${sent.id}`]), wait);
    });

    describe('liveness (transports that have a liveness channel)', () => {
      const address = () => ownerAddress('conf', `peer-${uniqueSuffix()}`, PROCESS_EPOCH);
      /** Two peers, the first answering for a fresh address; skipped where the transport has no liveness. */
      const answering = async (skip: (why: string) => void) => {
        const [owner, checker] = [await peer(), await peer()];
        if (!owner.liveness || !checker.liveness) return void skip('no liveness channel');
        const at = address();
        await owner.liveness.answer(at);
        return { owner, checker: checker.liveness, at };
      };

      it('an instance answering for its address is alive to another', async (t) => {
        const peers = await answering((why) => t.skip(why));
        if (!peers) return;
        assert.equal(await peers.checker.check(peers.at, wait), 'alive');
      });

      it('an address nobody answers for is gone', async (t) => {
        const peers = await answering((why) => t.skip(why));
        if (!peers) return;
        assert.equal(await peers.checker.check(address(), wait), 'gone');
      });

      it('a draining instance still answers; once closed it is gone', async (t) => {
        const peers = await answering((why) => t.skip(why));
        if (!peers) return;
        await peers.owner.drain();
        assert.equal(await peers.checker.check(peers.at, wait), 'alive');
        await peers.owner.close();
        assert.equal(await peers.checker.check(peers.at, wait), 'gone');
      });
    });
  });
}
