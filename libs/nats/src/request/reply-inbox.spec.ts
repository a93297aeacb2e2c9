import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { connect, headers, type Msg, type NatsConnection, TimeoutError } from '@nats-io/transport-node';
import { ReplyInbox, type ReplyWait } from './reply-inbox.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (msg: Msg) => decoder.decode(msg.data);
const wait = (waitMs: number, extra: Partial<ReplyWait> = {}): ReplyWait => ({ waitMs, timeout: () => new TimeoutError(), ...extra });

describe('ReplyInbox (one reply subscription for every request of a connection)', () => {
  let server: NatsServerHandle;
  let client: NatsConnection;
  let responder: NatsConnection;
  let inbox: ReplyInbox;
  const subject = (name: string) => `inbox${uniqueSuffix()}.${name}`;

  before(async () => {
    server = await startNatsServer();
    [client, responder] = await Promise.all([
      connect({ servers: server.url, noAsyncTraces: true }),
      connect({ servers: server.url, noAsyncTraces: true }),
    ]);
    inbox = new ReplyInbox(client, '_INBOX_spec');
  });

  after(async () => {
    await Promise.allSettled([client?.close(), responder?.close()]);
    await server?.stop();
  });

  it('gives each request its own reply, answered out of order, under the connection prefix', async () => {
    const echo = subject('echo');
    const replySubjects: string[] = [];
    responder.subscribe(echo, {
      callback: (_error, msg) => {
        replySubjects.push(msg.reply!);
        // Later requests answered first.
        setTimeout(() => msg.respond(msg.data), 50 - Number(text(msg)) / 4);
      },
    });
    await responder.flush();
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => inbox.request(echo, encoder.encode(String(i)), headers(), wait(5_000)).then(text)),
    );
    assert.deepEqual(
      replies,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
    assert.ok(
      replySubjects.every((s) => s.startsWith('_INBOX_spec.')),
      replySubjects[0],
    );
    assert.equal(new Set(replySubjects).size, 200, 'a reply subject per request');
  });

  it('fails with "no responders" at once when nobody serves the subject', async () => {
    const started = Date.now();
    await assert.rejects(inbox.request(subject('nobody'), encoder.encode('x'), headers(), wait(5_000)), { name: 'NoResponders' });
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  });

  it("times out with the wait's own error, and a reply arriving after that is dropped without touching the next request", async () => {
    const slow = subject('slow');
    let first = true;
    responder.subscribe(slow, {
      callback: (_error, msg) => {
        const late = first;
        first = false;
        // The late reply lands while the next request is still waiting for its own.
        setTimeout(() => msg.respond(encoder.encode(late ? 'late' : 'on time')), late ? 300 : 400);
      },
    });
    await responder.flush();
    await assert.rejects(inbox.request(slow, encoder.encode('1'), headers(), wait(100)), TimeoutError);
    const next = inbox.request(slow, encoder.encode('2'), headers(), wait(5_000));
    assert.equal(text(await next), 'on time');
  });

  it('an empty message that progress takes for a word extends the wait; silence then ends it', async () => {
    const working = subject('working');
    responder.subscribe(working, {
      callback: (_error, msg) => {
        const h = headers();
        h.set('Catga-Progress', '1');
        // A word every 80 ms for 400 ms, then the reply: longer than the first wait of 150 ms.
        const ticker = setInterval(() => msg.respond(new Uint8Array(0), { headers: h }), 80);
        setTimeout(() => {
          clearInterval(ticker);
          if (text(msg) === 'answer') msg.respond(encoder.encode('done'));
        }, 400);
      },
    });
    await responder.flush();
    let words = 0;
    const progress = (m: Msg) => (m.headers?.has('Catga-Progress') ? (words++, 150) : undefined);
    assert.equal(text(await inbox.request(working, encoder.encode('answer'), headers(), wait(150, { progress }))), 'done');
    assert.ok(words >= 3, `${words} words`);
    const silent = new Error('silent');
    await assert.rejects(
      inbox.request(working, encoder.encode('never'), headers(), wait(150, { progress, timeout: () => silent })),
      (e: unknown) => e === silent,
    );
  });

  it('a request in hand when the connection closes fails at once, not at its timeout', async () => {
    const own = await connect({ servers: server.url, noAsyncTraces: true });
    const ownInbox = new ReplyInbox(own, '_INBOX_spec_close');
    const hang = subject('hang');
    responder.subscribe(hang, { callback: () => undefined });
    await responder.flush();
    const pending = ownInbox.request(hang, encoder.encode('x'), headers(), wait(10_000));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await own.close();
    await assert.rejects(pending, { name: 'ClosedConnectionError' });
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  });
});
