// Hostile peers on the bus and hostile HTTP clients against the sample order system, one OS
// process per service: whatever they send, every service keeps running, answers with a typed
// error, applies nothing twice and keeps its consumers moving.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { MAX_ARRAY_LENGTH } from '@catga/core';
import type { NotificationRecord, Order, PaymentRecord, StockLevel } from '@catga/order-contracts';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

// The sample services use the default prefix; the servers are this file's own.
const PREFIX = 'catga';
const EVENTS_STREAM = 'CATGA_EVENTS';
const DLQ_STREAM = 'CATGA_DLQ';
const MIB = 1024 * 1024;
const MAX_MEMBERS = 1000;
const MAX_REPLY_BYTES = 64 * 1024;
// "Quickly": well under a caller's timeout, with room for a loaded machine.
const QUICK_MS = 3_000;

interface WireError {
  code: string;
  name: string;
  message: string;
  retryable: boolean;
  messageId?: string;
  details?: unknown;
}
type WireReply = { ok: true; result: unknown } | { ok: false; error: WireError };

interface HttpError {
  statusCode: number;
  code?: string;
  message: string | string[];
}

interface ClusterSnapshot {
  members: Array<Record<string, unknown> & { instance: string; service: string; status: string }>;
  sagas: Record<string, number>;
}

const encoder = new TextEncoder();
const bytes = (value: unknown): Uint8Array => encoder.encode(typeof value === 'string' ? value : JSON.stringify(value));

/** An `{ok:false}` reply's error, failing the test on anything else. */
function errorOf(reply: WireReply, what: string): WireError {
  assert.equal(reply.ok, false, `${what}: expected an error reply, got ${JSON.stringify(reply).slice(0, 300)}`);
  return (reply as { error: WireError }).error;
}

/**
 * Publishes messages over a bare socket speaking the NATS protocol, so header blocks nats.js
 * refuses to build reach the server as written; resolves once the server has read them all.
 */
async function rawPublish(
  port: number,
  messages: Array<{ subject: string; reply?: string; headerBlock: string; body: string }>,
): Promise<void> {
  const socket = connectSocket({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    const done = new Promise<void>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('-ERR')) reject(new Error(`nats-server refused: ${text}`));
        if (text.includes('PONG')) resolve();
      });
      socket.once('error', reject);
    });
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1}\r\n');
    for (const m of messages) {
      const hdr = Buffer.byteLength(m.headerBlock);
      const total = hdr + Buffer.byteLength(m.body);
      socket.write(`HPUB ${m.subject}${m.reply ? ` ${m.reply}` : ''} ${hdr} ${total}\r\n${m.headerBlock}${m.body}\r\n`);
    }
    socket.write('PING\r\n');
    await done;
  } finally {
    socket.destroy();
  }
}

/** A JSON body of `prefix` followed by as many `{}` items as fit in `size` bytes, then `]}`. */
function emptyItems(size: number, prefix: string): string {
  const n = Math.floor((size - prefix.length - 2 + 1) / 3);
  return `${prefix}[${Array.from({ length: n }, () => '{}').join(',')}]}`;
}

/** `value` as JSON with a string field padding it to exactly `size` bytes. */
function padded(size: number, value: object): string {
  const head = JSON.stringify({ ...value, pad: '' });
  return `${head.slice(0, -2)}${'x'.repeat(size - head.length)}"}`;
}

/** An array nested `depth` levels deep. */
function nest(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

/** Header blocks nats.js throws on when it reads them. */
const UNPARSEABLE_HEADERS: Array<{ name: string; block: (id: string) => string }> = [
  { name: 'a space in a header name', block: (id) => `NATS/1.0\r\nCatga-Message-Id: ${id}\r\nBad Name: v\r\n\r\n` },
  { name: 'a bare line feed in a value', block: (id) => `NATS/1.0\r\nCatga-Message-Id: ${id}\nX-Smuggled: 1\r\n\r\n` },
  { name: 'a non-ASCII header name', block: (id) => `NATS/1.0\r\nCatga-Message-Id: ${id}\r\nN\u00e4me: v\r\n\r\n` },
];

describe('hostile peers and clients against the order system, one OS process per service', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  let natsConfigDir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const services: ServiceProcess[] = [];
  let api: ServiceProcess;
  let baseline: { orderId: string; order: Order };

  const request = async (type: string, body: Uint8Array, headers: Record<string, string>, timeout = 15_000) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    const started = Date.now();
    const msg = await nc.request(`${PREFIX}.req.${type}`, body, { headers: h, timeout });
    return { reply: JSON.parse(msg.string()) as WireReply, ms: Date.now() - started, bytes: msg.data.byteLength };
  };

  const cluster = async (): Promise<{ text: string; json: ClusterSnapshot }> => {
    const response = await fetch(`${api.url}/api/cluster`);
    assert.equal(response.status, 200);
    const text = await response.text();
    return { text, json: JSON.parse(text) as ClusterSnapshot };
  };

  const sagaCount = async (): Promise<number> => Object.values((await cluster()).json.sagas).reduce((a, b) => a + b, 0);

  const placeOrder = async (product = `p-${uniqueSuffix()}`) => {
    const created = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
      customerId: 'c-hostile',
      items: [{ productId: product, quantity: 1, price: 5 }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'Completed', JSON.stringify(created.body));
    return created.body.orderId;
  };

  const eventConsumersDrained = async () => {
    const consumers = await jsm.consumers.list(EVENTS_STREAM).next();
    assert.ok(consumers.length > 0, 'no event consumer on the stream');
    for (const c of consumers) {
      const info = await jsm.consumers.info(EVENTS_STREAM, c.name);
      assert.equal(info.num_ack_pending, 0, `${c.name} has ${info.num_ack_pending} unacked`);
      assert.equal(info.num_pending, 0, `${c.name} has ${info.num_pending} undelivered`);
    }
  };

  /** Every process alive and ready, the earlier order unchanged, a new one completing and notified, no consumer stalled. */
  const assertSystemHealthy = async () => {
    for (const s of services) {
      assert.equal(s.child.exitCode, null, `${s.name} exited:\n${s.output().slice(-3000)}`);
      assert.equal(s.child.signalCode, null, `${s.name} was killed by ${s.child.signalCode}`);
      const ready = await fetch(`${s.url}/health/ready`);
      assert.equal(ready.status, 200, `${s.name} not ready: ${await ready.text()}`);
    }
    const order = await http<Order>(api.url, 'GET', `/api/orders/${baseline.orderId}`);
    assert.equal(order.status, 200);
    assert.equal(order.body.status, 'Completed');
    assert.deepEqual(order.body, baseline.order);
    const payment = await http<PaymentRecord>(api.url, 'GET', `/api/payments/${baseline.orderId}`);
    assert.deepEqual(payment.body, { orderId: baseline.orderId, charged: 1, refunded: 0 });
    const orderId = await placeOrder();
    await eventually(
      async () => {
        const notes = await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=${orderId}`);
        assert.equal(notes.body.length, 1, `no notification for ${orderId}`);
      },
      15_000,
      100,
    );
    await eventually(eventConsumersDrained, 15_000, 100);
    const { json } = await cluster();
    for (const s of services) {
      const member = json.members.find((m) => m.instance === s.name);
      assert.equal(member?.status, 'ready', `${s.name} in the cluster view: ${JSON.stringify(member)}`);
    }
  };

  before(async () => {
    // The servers' limit above Catga's 1 MiB, so an oversized body reaches the services and is theirs to refuse.
    natsConfigDir = mkdtempSync(join(tmpdir(), 'catga-hostile-'));
    const natsConfig = join(natsConfigDir, 'nats.conf');
    writeFileSync(natsConfig, `max_payload: ${4 * MIB}\n`);
    [nats, redis] = await Promise.all([startNatsServer({ args: ['-c', natsConfig] }), startRedisServer()]);
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url };
    services.push(
      ...(await Promise.all([
        startService('order-service', { ...env, CATGA_SERVICE_NAME: 'order-service' }),
        startService('payment-service', { ...env, CATGA_SERVICE_NAME: 'payment-service' }),
        startService('inventory-service', { ...env, CATGA_SERVICE_NAME: 'inventory-service' }),
        startService('notification-service', { ...env, CATGA_SERVICE_NAME: 'notification-service' }),
      ])),
    );
    api = await startService('order-api', { ...env, CATGA_SERVICE_NAME: 'order-api' });
    services.push(api);
    nc = await connect({ servers: nats.url, name: 'hostile-peer' });
    jsm = await jetstreamManager(nc);
    const orderId = await placeOrder();
    await eventually(
      async () => assert.equal((await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=${orderId}`)).body.length, 1),
      15_000,
      100,
    );
    baseline = { orderId, order: (await http<Order>(api.url, 'GET', `/api/orders/${orderId}`)).body };
    // Every instance in order-api's view before any announcement is forged.
    await eventually(
      async () => {
        const { json } = await cluster();
        for (const s of services)
          assert.ok(
            json.members.some((m) => m.instance === s.name && m.status === 'ready'),
            s.name,
          );
      },
      15_000,
      100,
    );
  });

  after(async () => {
    await nc?.close().catch(() => undefined);
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
    await Promise.all([nats?.stop(), redis?.stop()]);
    if (natsConfigDir) rmSync(natsConfigDir, { recursive: true, force: true });
  });

  it('the system is healthy before any attack', async () => {
    await assertSystemHealthy();
  });

  it('forged presence announcements are dropped or kept to their known fields, and nothing from them reaches the cluster view or the page', async () => {
    const run = uniqueSuffix();
    const markup = '<img src=x onerror=alert(1)>';
    const valid = (instance: string) => ({
      service: 'hostile-peer',
      instance,
      state: 'ready',
      startedAt: Date.now(),
      at: Date.now(),
      handled: 1,
      failed: 0,
      inFlight: 0,
      sagasActive: 0,
      transport: 'nats',
      connected: true,
      reconnects: 0,
    });
    const refused: Array<{ attack: string; body: Uint8Array }> = [
      ...['[]', '123', '"s"', 'true', 'null', '{', ''].map((raw) => ({ attack: `body ${raw || '(empty)'}`, body: bytes(raw) })),
      { attack: 'invalid UTF-8', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) },
      { attack: 'reconnects an object', body: bytes({ ...valid(`forged-${run}-1`), reconnects: { valueOf: 1 } }) },
      { attack: 'handled a string', body: bytes({ ...valid(`forged-${run}-2`), handled: '5' }) },
      { attack: 'handled negative', body: bytes({ ...valid(`forged-${run}-3`), handled: -1 }) },
      { attack: 'inFlight fractional', body: bytes({ ...valid(`forged-${run}-4`), inFlight: 0.5 }) },
      { attack: 'connected a string', body: bytes({ ...valid(`forged-${run}-5`), connected: 'yes' }) },
      { attack: 'unknown state', body: bytes({ ...valid(`forged-${run}-6`), state: 'owned' }) },
      { attack: 'startedAt a string', body: bytes({ ...valid(`forged-${run}-7`), startedAt: 'yesterday' }) },
      { attack: 'a field missing', body: bytes({ ...valid(`forged-${run}-8`), sagasActive: undefined }) },
      { attack: 'markup in service', body: bytes({ ...valid(`forged-${run}-9`), service: markup }) },
      { attack: 'markup in instance', body: bytes(valid(`forged-${run}-10${markup}`)) },
      { attack: 'markup in transport', body: bytes({ ...valid(`forged-${run}-11`), transport: markup }) },
      { attack: '300 KB junk field', body: bytes({ ...valid(`forged-${run}-12`), junk: `JUNK${'x'.repeat(300 * 1024)}` }) },
    ];
    for (const { body } of refused) nc.publish(`${PREFIX}.presence`, body);
    // Known fields only: the extra ones never reach the view.
    const extra = `extra-${run}`;
    const withExtras = JSON.stringify(valid(extra)).replace(
      '{',
      `{"evil":${JSON.stringify(markup)},"JUNK":"JUNKJUNK","__proto__":{"polluted":true},`,
    );
    nc.publish(`${PREFIX}.presence`, bytes(withExtras));
    await nc.flush();
    // Announcements from one connection arrive in order: once the last is in the view, every earlier one was read.
    const { text, json } = await eventually(
      async () => {
        const view = await cluster();
        assert.ok(
          view.json.members.some((m) => m.instance === extra),
          'the well-formed announcement is not in the view yet',
        );
        return view;
      },
      10_000,
      50,
    );
    const forged = json.members.filter((m) => m.instance.startsWith(`forged-${run}`));
    assert.deepEqual(
      forged.map((m) => m.instance),
      [],
      'a malformed announcement reached the view',
    );
    assert.ok(!text.includes('<'), `markup in /api/cluster: ${text.slice(text.indexOf('<') - 100, text.indexOf('<') + 100)}`);
    assert.ok(!text.includes('onerror'), 'attack text in /api/cluster');
    assert.ok(!text.includes('JUNK'), 'a junk field in /api/cluster');
    assert.ok(!text.includes('polluted'), 'a prototype field in /api/cluster');
    const member = json.members.find((m) => m.instance === extra)!;
    assert.deepEqual(Object.keys(member).sort(), [
      'at',
      'connected',
      'failed',
      'handled',
      'inFlight',
      'instance',
      'lastSeen',
      'reconnects',
      'sagasActive',
      'self',
      'service',
      'startedAt',
      'state',
      'status',
      'transport',
    ]);
    const page = await fetch(`${api.url}/dashboard`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-/);
    assert.doesNotMatch(await page.text(), /onerror=alert/);
    await assertSystemHealthy();
  });

  it('a request whose header block nats.js cannot parse gets a typed MALFORMED_MESSAGE reply', async () => {
    const inbox = `_INBOX.hostile.${uniqueSuffix()}`;
    const replies: WireReply[] = [];
    const sub = nc.subscribe(inbox, { callback: (_e, msg) => void replies.push(JSON.parse(msg.string()) as WireReply) });
    await nc.flush();
    try {
      for (const type of ['payments.charge', 'orders.place-order', 'orders.get-order']) {
        replies.length = 0;
        await rawPublish(
          nats.port,
          UNPARSEABLE_HEADERS.map((h) => ({
            subject: `${PREFIX}.req.${type}`,
            reply: inbox,
            headerBlock: h.block(`hdr-${uniqueSuffix()}`),
            body: JSON.stringify({ orderId: `hdr-${uniqueSuffix()}`, customerId: 'c', amount: 1 }),
          })),
        );
        await eventually(
          () => assert.equal(replies.length, UNPARSEABLE_HEADERS.length, `${type}: replies ${JSON.stringify(replies)}`),
          5_000,
          20,
        );
        for (const [i, reply] of replies.entries()) {
          const error = errorOf(reply, `${type} with ${UNPARSEABLE_HEADERS[i]!.name}`);
          assert.equal(error.code, 'MALFORMED_MESSAGE', JSON.stringify(error));
          assert.equal(error.retryable, false);
        }
      }
    } finally {
      sub.unsubscribe();
    }
    await assertSystemHealthy();
  });

  it('events whose header block nats.js cannot parse are dead-lettered and the durable consumer does not stall', async () => {
    const type = 'orders.order-completed';
    const consumer = 'notification-service_OrderCompletedHandler__orders_order-completed';
    const deadSubject = `${PREFIX}.dlq.${type}`;
    await jsm.consumers.info(EVENTS_STREAM, consumer);
    const before = (await jsm.streams.info(DLQ_STREAM)).state.last_seq;
    const run = uniqueSuffix();
    const count = 51;
    await rawPublish(
      nats.port,
      Array.from({ length: count }, (_, i) => ({
        subject: `${PREFIX}.evt.${type}`,
        headerBlock: UNPARSEABLE_HEADERS[i % UNPARSEABLE_HEADERS.length]!.block(`evt-${run}-${i}`),
        body: JSON.stringify({ orderId: `evt-${run}-${i}`, customerId: 'c', total: 1, items: [] }),
      })),
    );
    await eventually(
      async () => {
        const info = await jsm.streams.info(DLQ_STREAM, { subjects_filter: deadSubject });
        assert.ok(info.state.last_seq - before >= count, `${info.state.last_seq - before} of ${count} dead-lettered`);
      },
      20_000,
      100,
    );
    const last = (await jsm.streams.info(DLQ_STREAM)).state.last_seq;
    const bodies = new Set<string>();
    for (let seq = before + 1; seq <= last; seq++) {
      const dead = await jsm.streams.getMessage(DLQ_STREAM, { seq });
      assert.ok(dead, `dead letter ${seq} missing`);
      if (dead.subject !== deadSubject) continue;
      const error = JSON.parse(dead.header.get('Catga-Dead-Error')) as WireError;
      assert.equal(error.code, 'MALFORMED_MESSAGE', dead.header.get('Catga-Dead-Error'));
      assert.equal(dead.header.get('Catga-Dead-Group'), 'notification-service.OrderCompletedHandler');
      assert.equal(dead.header.get('Catga-Type'), type);
      bodies.add(dead.string());
    }
    assert.equal(bodies.size, count, 'every malformed event has its own dead letter with its body');
    await eventually(
      async () => {
        const info = await jsm.consumers.info(EVENTS_STREAM, consumer);
        assert.equal(info.num_ack_pending, 0, `num_ack_pending ${info.num_ack_pending}`);
        assert.equal(info.num_pending, 0, `num_pending ${info.num_pending}`);
      },
      15_000,
      100,
    );
    // None of them was taken as an event.
    const notes = await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=evt-${run}-0`);
    assert.deepEqual(notes.body, []);
    await assertSystemHealthy();
  });

  it('Catga-Kind: query or event on a command with idempotency does not turn it off: three sends of one refund apply it once', async () => {
    const orderId = `kind-${uniqueSuffix()}`;
    // Three distinct charges, so a refund applied more than once would show.
    for (let i = 0; i < 3; i++) {
      const { reply } = await request('payments.charge', bytes({ orderId, customerId: 'c', amount: 1 }), {
        'Catga-Message-Id': `charge-${orderId}-${i}`,
        'Catga-Kind': 'query',
      });
      assert.equal(reply.ok, true, JSON.stringify(reply));
    }
    // The same charge id three times as a "query": still one charge.
    for (let i = 0; i < 3; i++) {
      await request('payments.charge', bytes({ orderId, customerId: 'c', amount: 1 }), {
        'Catga-Message-Id': `charge-${orderId}-0`,
        'Catga-Kind': 'query',
      });
    }
    assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 3, refunded: 0 });
    for (const [n, kind] of ['query', 'event'].entries()) {
      const id = `refund-${orderId}-${kind}`;
      const replies: WireReply[] = [];
      for (let i = 0; i < 3; i++)
        replies.push((await request('payments.refund', bytes({ orderId }), { 'Catga-Message-Id': id, 'Catga-Kind': kind })).reply);
      assert.deepEqual(
        replies,
        Array.from({ length: 3 }, () => ({ ok: true, result: { orderId, refunded: n + 1 } })),
        kind,
      );
      assert.deepEqual(
        (await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body,
        { orderId, charged: 3, refunded: n + 1 },
        kind,
      );
    }
    const bogus = await request('payments.refund', bytes({ orderId }), {
      'Catga-Message-Id': `refund-${orderId}-bogus`,
      'Catga-Kind': 'admin',
    });
    assert.equal(errorOf(bogus.reply, 'an unknown kind').code, 'MALFORMED_MESSAGE');
    assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 3, refunded: 2 });
    await assertSystemHealthy();
  });

  it('a command whose body is not a JSON object gets a typed error and has no effect', async () => {
    const sagasBefore = await sagaCount();
    const attacks: Array<{ type: string; body: string; code: string }> = [
      ...['[]', '123', '"s"', 'true', 'null', '', '[{"orderId":"array-item","customerId":"c","amount":1}]'].flatMap((body) => [
        { type: 'payments.charge', body, code: 'MALFORMED_MESSAGE' },
        { type: 'payments.refund', body, code: 'MALFORMED_MESSAGE' },
        { type: 'orders.place-order', body, code: 'MALFORMED_MESSAGE' },
      ]),
      { type: 'payments.charge', body: '{"orderId":', code: 'MALFORMED_MESSAGE' },
      { type: 'payments.charge', body: '{"orderId":{"$ne":null},"customerId":"c","amount":1}', code: 'VALIDATION_FAILED' },
      { type: 'payments.charge', body: '{"orderId":"x","customerId":"c","amount":"1e3"}', code: 'VALIDATION_FAILED' },
      { type: 'payments.charge', body: '{"__proto__":{"orderId":"proto"},"customerId":"c","amount":1}', code: 'VALIDATION_FAILED' },
    ];
    for (const a of attacks) {
      const id = `body-${uniqueSuffix()}`;
      const { reply } = await request(a.type, bytes(a.body), { 'Catga-Message-Id': id });
      const error = errorOf(reply, `${a.type} ${a.body || '(empty)'}`);
      assert.equal(error.code, a.code, `${a.type} ${a.body || '(empty)'}: ${JSON.stringify(error)}`);
      assert.equal(error.retryable, false);
      assert.equal(error.messageId, id);
    }
    for (const orderId of ['undefined', 'null', 'array-item', 'proto', 'x', '[object Object]']) {
      const payment = await http<HttpError>(api.url, 'GET', `/api/payments/${encodeURIComponent(orderId)}`);
      assert.equal(payment.status, 404, `a payment record for "${orderId}": ${JSON.stringify(payment.body)}`);
      assert.equal(payment.body.code, 'PAYMENT_NOT_FOUND');
    }
    assert.equal(await sagaCount(), sagasBefore, 'an order was started');
    await assertSystemHealthy();
  });

  it('oversized and expensive requests over NATS are refused quickly with a typed error and a small reply', async (t) => {
    const sagasBefore = await sagaCount();
    const line = { productId: `big-${uniqueSuffix()}`, quantity: 1, price: 1 };
    const attacks: Array<{ attack: string; type?: string; body: string; headers?: Record<string, string>; codes: string[] }> = [
      {
        attack: '1 MiB - 1 KiB of {} order lines',
        body: emptyItems(MIB - 1024, '{"orderId":"big","customerId":"c","items":'),
        codes: ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE'],
      },
      {
        attack: '1 MiB - 1 KiB of {} lines straight to inventory.reserve',
        type: 'inventory.reserve',
        body: emptyItems(MIB - 1024, '{"orderId":"big","items":'),
        codes: ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE'],
      },
      {
        attack: 'a body one byte over 1 MiB',
        body: padded(MIB + 1, { orderId: 'over', customerId: 'c', items: [line] }),
        codes: ['PAYLOAD_TOO_LARGE'],
      },
      { attack: 'a 3 MiB body', body: padded(3 * MIB, { orderId: 'over3', customerId: 'c', items: [line] }), codes: ['PAYLOAD_TOO_LARGE'] },
      {
        attack: '10 000 nested arrays',
        body: `{"orderId":"deep","customerId":"c","items":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: '10 000 nested objects',
        body: `{"orderId":"deep","customerId":"c","items":[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}`,
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: '65 nested arrays in a line',
        body: JSON.stringify({ orderId: 'deep65', customerId: 'c', items: nest(65) }),
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: 'a 40 KB Catga-Message-Id',
        body: JSON.stringify({ orderId: 'ids', customerId: 'c', items: [line] }),
        headers: { 'Catga-Message-Id': 'i'.repeat(40_000) },
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: 'a 40 KB Catga-Correlation-Id',
        body: JSON.stringify({ orderId: 'ids', customerId: 'c', items: [line] }),
        headers: { 'Catga-Correlation-Id': 'c'.repeat(40_000) },
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: 'a 40 KB Catga-Message-Id on a query',
        type: 'orders.get-order',
        body: JSON.stringify({ orderId: 'ids' }),
        headers: { 'Catga-Message-Id': 'q'.repeat(40_000), 'Catga-Kind': 'query' },
        codes: ['MALFORMED_MESSAGE'],
      },
      {
        attack: 'a control character in Catga-Message-Id',
        body: JSON.stringify({ orderId: 'ids', customerId: 'c', items: [line] }),
        headers: { 'Catga-Message-Id': 'a\u0007b' },
        codes: ['MALFORMED_MESSAGE'],
      },
    ];
    for (const a of attacks) {
      const {
        reply,
        ms,
        bytes: size,
      } = await request(a.type ?? 'orders.place-order', bytes(a.body), { 'Catga-Message-Id': `big-${uniqueSuffix()}`, ...a.headers });
      const error = errorOf(reply, a.attack);
      t.diagnostic(`${a.attack}: ${error.code} in ${ms} ms, ${size} bytes`);
      assert.ok(a.codes.includes(error.code), `${a.attack}: ${error.code} ${error.message.slice(0, 200)}`);
      assert.equal(error.retryable, false, a.attack);
      assert.ok(ms < QUICK_MS, `${a.attack}: answered after ${ms} ms`);
      assert.ok(size < MAX_REPLY_BYTES, `${a.attack}: a reply of ${size} bytes`);
      // A malformed id is not echoed back: the refusal stays a few hundred bytes whatever was sent.
      if (error.code === 'MALFORMED_MESSAGE') assert.ok(size < 2_048, `${a.attack}: a MALFORMED_MESSAGE reply of ${size} bytes`);
      if (error.code === 'PAYLOAD_TOO_LARGE') {
        // Over the byte limit, or (a long list of {} lines) over the elements one array may hold.
        const details = error.details as { what?: string; limit: number };
        assert.equal(details.limit, details.what === 'array' ? MAX_ARRAY_LENGTH : MIB, a.attack);
      }
    }
    assert.equal(await sagaCount(), sagasBefore, 'an order was started');
    assert.deepEqual((await http<StockLevel>(api.url, 'GET', `/api/inventory/${line.productId}`)).body, {
      productId: line.productId,
      available: 1000,
      reserved: 0,
    });
    await assertSystemHealthy();
  });

  it('an order body of 1 MiB - 1 KiB of {} lines over HTTP is refused quickly as too large', async () => {
    const started = Date.now();
    const response = await fetch(`${api.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: emptyItems(MIB - 1024, '{"customerId":"c","items":'),
    });
    const text = await response.text();
    assert.equal(response.status, 413, text.slice(0, 300));
    assert.ok(Date.now() - started < QUICK_MS, `answered after ${Date.now() - started} ms`);
    assert.ok(text.length < MAX_REPLY_BYTES);
    assert.equal((JSON.parse(text) as HttpError).statusCode, 413);
    await assertSystemHealthy();
  });

  it('order bodies of many {} lines over HTTP are refused quickly and in a few bytes: over 10 000 a 413, under it a 400', async () => {
    for (const { body, status } of [
      { body: emptyItems(99 * 1024, '{"customerId":"c","items":'), status: 413 },
      { body: `{"customerId":"c","items":[${'{},'.repeat(9_998)}{}]}`, status: 400 },
    ]) {
      const started = Date.now();
      const response = await fetch(`${api.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      const ms = Date.now() - started;
      assert.equal(response.status, status, text.slice(0, 300));
      assert.ok(text.length < MAX_REPLY_BYTES, `a ${status} of ${text.length} bytes`);
      assert.ok(ms < QUICK_MS, `answered after ${ms} ms`);
    }
    await assertSystemHealthy();
  });

  it('an order body nesting 10 000 levels over HTTP is a 400, not a 500', async () => {
    for (const body of [
      `{"customerId":"c","items":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      `{"customerId":"c","items":[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}`,
    ]) {
      const response = await http<HttpError>(api.url, 'POST', '/api/orders', body);
      assert.equal(response.status, 400, `${body.slice(0, 40)}…: ${JSON.stringify(response.body)}`);
    }
    await assertSystemHealthy();
  });

  it('numeric edge cases in an order over HTTP get a 400 with the offending field and create no order', async () => {
    const sagasBefore = await sagaCount();
    const attacks: Array<{ attack: string; field: string; line: (productId: string) => string }> = [
      { attack: 'price 1e308', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: 1e308 }) },
      {
        attack: 'price 1e308 twice',
        field: 'price',
        line: (p) =>
          `${JSON.stringify({ productId: p, quantity: 1, price: 1e308 })},${JSON.stringify({ productId: p, quantity: 1, price: 1e308 })}`,
      },
      { attack: 'price literal 1e999 (Infinity)', field: 'price', line: (p) => `{"productId":"${p}","quantity":1,"price":1e999}` },
      { attack: 'price literal -1e999', field: 'price', line: (p) => `{"productId":"${p}","quantity":1,"price":-1e999}` },
      { attack: 'price -0.01', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: -0.01 }) },
      { attack: 'price "NaN"', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: 'NaN' }) },
      { attack: 'price "Infinity"', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: 'Infinity' }) },
      { attack: 'price "1"', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: '1' }) },
      { attack: 'price null', field: 'price', line: (p) => JSON.stringify({ productId: p, quantity: 1, price: null }) },
      { attack: 'quantity 1e9', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: 1e9, price: 1 }) },
      { attack: 'quantity -1', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: -1, price: 1 }) },
      { attack: 'quantity 0', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: 0, price: 1 }) },
      { attack: 'quantity 1.5', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: 1.5, price: 1 }) },
      { attack: 'quantity 1e-400 (0)', field: 'quantity', line: (p) => `{"productId":"${p}","quantity":1e-400,"price":1}` },
      { attack: 'quantity "NaN"', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: 'NaN', price: 1 }) },
      { attack: 'quantity "1e9"', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: '1e9', price: 1 }) },
      { attack: 'quantity 2^53', field: 'quantity', line: (p) => JSON.stringify({ productId: p, quantity: 2 ** 53, price: 1 }) },
    ];
    const products: string[] = [];
    for (const a of attacks) {
      const product = `num-${uniqueSuffix()}`;
      products.push(product);
      const response = await http<HttpError>(api.url, 'POST', '/api/orders', `{"customerId":"c-num","items":[${a.line(product)}]}`);
      assert.equal(response.status, 400, `${a.attack}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.statusCode, 400, a.attack);
      const messages = [response.body.message].flat().join('\n');
      assert.match(messages, new RegExp(a.field), `${a.attack}: ${messages}`);
    }
    // NaN itself is not JSON.
    const notJson = await http<HttpError>(
      api.url,
      'POST',
      '/api/orders',
      `{"customerId":"c-num","items":[{"productId":"p","quantity":NaN,"price":1}]}`,
    );
    assert.equal(notJson.status, 400, JSON.stringify(notJson.body));
    for (const product of products) {
      assert.deepEqual((await http<StockLevel>(api.url, 'GET', `/api/inventory/${product}`)).body, {
        productId: product,
        available: 1000,
        reserved: 0,
      });
    }
    assert.equal(await sagaCount(), sagasBefore, 'an order was started');
    await assertSystemHealthy();
  });

  it('forged replies that reach order-api first are refused when malformed and kept to their known, bounded fields when well-formed', async () => {
    // A plain subscriber receives a copy of each request without taking it from payment-service's
    // queue group; it answers only the probes below, once per message id. Redis is paused while it
    // does, so payment-service's own answer (it reads Redis) cannot come first.
    const forgeries = new Map<string, string>();
    const answered = new Set<string>();
    const sub = nc.subscribe(`${PREFIX}.req.payments.get-payment`, {
      callback: (_e, msg) => {
        const forged = forgeries.get((JSON.parse(msg.string()) as { orderId?: string }).orderId ?? '');
        const id = msg.headers?.get('Catga-Message-Id') ?? '';
        if (forged === undefined || answered.has(id)) return;
        answered.add(id);
        msg.respond(bytes(forged));
      },
    });
    await nc.flush();
    const markup = '<img src=x onerror=alert(1)>';
    const probe = async (forged: string) => {
      const orderId = `forged-reply-${uniqueSuffix()}`;
      forgeries.set(orderId, forged);
      const sent = answered.size;
      await redis.command(['CLIENT', 'PAUSE', '400', 'ALL']);
      const response = await http<HttpError & Record<string, unknown>>(api.url, 'GET', `/api/payments/${orderId}`);
      assert.equal(answered.size, sent + 1, 'the forged reply was not sent exactly once');
      return response;
    };
    try {
      // Malformed: refused, the request retried with the same id, and payment-service's answer wins.
      for (const forged of [
        'not json',
        '[]',
        '{"ok":"yes","result":1}',
        JSON.stringify({ ok: false, error: { code: markup, message: 'm', retryable: false } }),
        JSON.stringify({ ok: false, error: { code: 'PAYMENT_NOT_FOUND', message: 'm' } }),
        JSON.stringify({ ok: false, error: 'PAYMENT_NOT_FOUND' }),
      ]) {
        const response = await probe(forged);
        assert.equal(response.status, 404, `${forged}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'PAYMENT_NOT_FOUND', forged);
        assert.match(String(response.body.message), /^No payment for order forged-reply-/, forged);
      }
      // Well-formed: taken (replies are not authenticated), but only its known fields, its text bounded.
      const response = await probe(
        JSON.stringify({
          ok: false,
          error: {
            code: 'PAYMENT_NOT_FOUND',
            name: markup,
            message: `FORGED${'m'.repeat(100_000)}`,
            retryable: false,
            stack: 'FORGED-STACK',
            messageId: 'FORGED'.repeat(10_000),
            cause: { polluted: true },
          },
        }),
      );
      assert.equal(response.status, 404, JSON.stringify(response.body).slice(0, 300));
      assert.equal(response.body.code, 'PAYMENT_NOT_FOUND');
      assert.match(String(response.body.message), /^FORGED/, 'the forged reply did not come first: the probe proves nothing');
      assert.ok(String(response.body.message).length <= 4_096, `a message of ${String(response.body.message).length} characters`);
      assert.ok(String(response.body.messageId).length <= 4_096, `a message id of ${String(response.body.messageId).length} characters`);
      const text = JSON.stringify(response.body);
      assert.ok(!text.includes('FORGED-STACK') && !text.includes('polluted') && !text.includes('<img'), text.slice(0, 300));
    } finally {
      sub.unsubscribe();
    }
    await assertSystemHealthy();
  });

  it('thousands of forged instance ids fill the cluster view to maxMembers and no further', async () => {
    const run = uniqueSuffix();
    const flood = 1_500;
    const announcement = (i: number, handled = 0) =>
      bytes({
        service: 'flood',
        instance: `flood-${run}-${i}`,
        state: 'ready',
        startedAt: Date.now(),
        at: Date.now(),
        handled,
        failed: 0,
        inFlight: 0,
        sagasActive: 0,
        transport: 'nats',
        connected: true,
        reconnects: 0,
      });
    for (let i = 0; i < flood; i++) nc.publish(`${PREFIX}.presence`, announcement(i));
    // A member already in the view is still updated when it is full; once this one shows, every earlier one was read.
    nc.publish(`${PREFIX}.presence`, announcement(0, 42));
    await nc.flush();
    const { json } = await eventually(
      async () => {
        const view = await cluster();
        assert.equal(view.json.members.find((m) => m.instance === `flood-${run}-0`)?.handled, 42, 'the flood is not read yet');
        return view;
      },
      15_000,
      100,
    );
    assert.equal(json.members.length, MAX_MEMBERS, 'the view is not at its limit');
    assert.ok(!json.members.some((m) => m.instance === `flood-${run}-${flood - 1}`), 'an instance beyond the limit was taken');
    await assertSystemHealthy();
  });
});
