import assert from 'node:assert/strict';
import { connect as connectSocket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newMessageId, PayloadTooLargeError, type Envelope } from '@catga/core';
import type { DeadLetter } from '@catga/core/transport';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { NatsTransport } from './nats.transport.js';

/** Publishes with a header block nats.js cannot parse, over a raw connection (nats.js would refuse to send it). */
async function publishBadHeaders(port: number, subject: string, reply?: string): Promise<void> {
  const headers = 'NATS/1.0\r\nBad Name: v\r\n\r\n';
  const payload = '{}';
  const socket = connectSocket({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const size = Buffer.byteLength(headers) + Buffer.byteLength(payload);
  socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n`);
  socket.write(`HPUB ${subject}${reply ? ` ${reply}` : ''} ${Buffer.byteLength(headers)} ${size}\r\n${headers}${payload}\r\nPING\r\n`);
  await new Promise<void>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('-ERR')) reject(new Error(text));
      if (text.includes('PONG')) resolve();
    });
  });
  socket.destroy();
}

describe('NATS transport, a header block nats.js cannot parse', () => {
  const prefix = `hostile${uniqueSuffix()}`;
  let server: NatsServerHandle;
  let transport: NatsTransport;
  let client: NatsConnection;

  before(async () => {
    server = await startNatsServer();
    transport = new NatsTransport({ servers: server.url, subjectPrefix: prefix, consumer: { redeliveryDelayMs: 20 } });
    await transport.start();
    client = await connect({ servers: server.url });
  });

  after(async () => {
    await client?.close();
    await transport?.close();
    await server?.stop();
  });

  it('on a request gets a MALFORMED_MESSAGE reply, and the responder goes on answering', async () => {
    await transport.serve('hostile.cmd', async () => ({ ok: true, result: 'ok' }), { group: 'svc' });
    const inbox = `_INBOX.hostile.${uniqueSuffix()}`;
    const replies: string[] = [];
    client.subscribe(inbox, { callback: (_e, msg) => void replies.push(msg.string()) });
    await client.flush();
    await publishBadHeaders(server.port, `${prefix}.req.hostile.cmd`, inbox);
    await eventually(() => assert.equal(replies.length, 1), 5_000);
    assert.equal((JSON.parse(replies[0]!) as { error: { code: string } }).error.code, 'MALFORMED_MESSAGE');
    const good: Envelope = {
      id: newMessageId(),
      type: 'hostile.cmd',
      kind: 'command',
      correlationId: 'c',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: {},
    };
    assert.deepEqual(await transport.request(good, { timeoutMs: 5_000 }), { ok: true, result: 'ok' });
  });

  it('on an event is dead-lettered with the reason, and the consumer goes on delivering', async () => {
    const dead: DeadLetter[] = [];
    await transport.subscribeDeadLetters(async (d) => void dead.push(d));
    const handled: string[] = [];
    await transport.subscribe('hostile.evt', async (e) => void handled.push(e.id), { group: 'g' });
    await publishBadHeaders(server.port, `${prefix}.evt.hostile.evt`);
    await eventually(() => assert.equal(dead.length, 1), 10_000);
    assert.equal(dead[0]!.error.code, 'MALFORMED_MESSAGE');
    assert.equal(dead[0]!.group, 'g');
    const good: Envelope = {
      id: newMessageId(),
      type: 'hostile.evt',
      kind: 'event',
      correlationId: 'c',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: {},
    };
    await transport.publish(good);
    await eventually(() => assert.deepEqual(handled, [good.id]), 10_000);
  });
});

describe('NATS transport, a request body with too long an array', () => {
  const prefix = `sizes${uniqueSuffix()}`;
  let server: NatsServerHandle;
  let transport: NatsTransport;
  let raw: NatsConnection;
  const handled: unknown[] = [];

  before(async () => {
    server = await startNatsServer();
    transport = new NatsTransport({ servers: server.url, subjectPrefix: prefix });
    await transport.start();
    raw = await connect({ servers: server.url });
    await transport.serve(
      'sizes.cmd',
      async (envelope) => {
        handled.push(envelope.body);
        return { ok: true, result: 'ok' };
      },
      { group: 'svc' },
    );
  });

  after(async () => {
    await raw?.close();
    await transport?.close();
    await server?.stop();
  });

  const request = (body: unknown): Envelope => ({
    id: newMessageId(),
    type: 'sizes.cmd',
    kind: 'command',
    correlationId: 'c',
    causationId: undefined,
    timestamp: Date.now(),
    headers: {},
    body,
  });

  it('sent by another client, gets a PAYLOAD_TOO_LARGE reply without reaching the handler, and the responder goes on answering', async () => {
    const id = newMessageId();
    const h = natsHeaders();
    h.set('Catga-Message-Id', id);
    const msg = await raw.request(`${prefix}.req.sizes.cmd`, JSON.stringify({ lines: new Array<number>(10_001).fill(0) }), {
      timeout: 5_000,
      headers: h,
    });
    const reply = JSON.parse(msg.string()) as {
      ok: boolean;
      error: { code: string; retryable: boolean; messageId: string; details: unknown };
    };
    assert.ok(!reply.ok);
    assert.equal(reply.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(reply.error.retryable, false);
    assert.equal(reply.error.messageId, id);
    assert.deepEqual(reply.error.details, { what: 'array', limit: 10_000 });
    assert.equal(handled.length, 0);
    assert.deepEqual(await transport.request(request({ lines: new Array<number>(10_000).fill(0) }), { timeoutMs: 5_000 }), {
      ok: true,
      result: 'ok',
    });
    assert.equal(handled.length, 1);
  });

  it('sent by a Catga client, is refused before it is sent', async () => {
    await assert.rejects(
      transport.request(request({ lines: new Array<number>(10_001).fill(0) }), { timeoutMs: 5_000 }),
      PayloadTooLargeError,
    );
  });
});

describe('NATS transport, an event JetStream can never take', () => {
  it('fails at once with PAYLOAD_TOO_LARGE, not retryable, instead of retrying until publishTimeoutMs', async () => {
    const server = await startNatsServer();
    const transport = new NatsTransport({ servers: server.url, subjectPrefix: `big${uniqueSuffix()}`, publishTimeoutMs: 10_000 });
    try {
      await transport.start();
      const big: Envelope = {
        id: newMessageId(),
        type: 'big.evt',
        kind: 'event',
        correlationId: 'c',
        causationId: undefined,
        timestamp: Date.now(),
        headers: { 'x-big': 'y'.repeat(80_000) },
        body: {},
      };
      const started = Date.now();
      await assert.rejects(transport.publish(big), (error: unknown) => error instanceof PayloadTooLargeError && !error.retryable);
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      await transport.close();
      await server.stop();
    }
  });
});
