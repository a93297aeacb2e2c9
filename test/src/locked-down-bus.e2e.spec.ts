import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsAccountsConfig, serviceInboxPrefix, type BusAccess } from '@catga/nats';
import { ORDER_SYSTEM_BUS_ACCESS, type NotificationRecord, type PaymentRecord } from '@catga/order-contracts';
import { freePort, startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { createLoopbackCertificates, type TlsCertificates } from './fixtures/tls-certificates.js';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

type Service = keyof typeof ORDER_SYSTEM_BUS_ACCESS;
const SERVICES = Object.keys(ORDER_SYSTEM_BUS_ACCESS) as Service[];
const secret = () => randomBytes(18).toString('base64url');

/**
 * The order system on a locked-down bus: NATS with TLS and one user per service holding the
 * permissions generated from ORDER_SYSTEM_BUS_ACCESS, Redis with TLS and an ACL user limited to
 * the Catga prefix. The flow works, and nobody gets what their credentials do not allow.
 */
describe('the order system with NATS accounts, per-service permissions and TLS, and Redis with an ACL user and TLS', () => {
  // The subject prefix is the default one (the server is this test's own); Redis keys get a prefix of their own.
  const prefix = 'catga';
  const keyPrefix = `locked${uniqueSuffix()}`;
  const adminPassword = secret();
  const natsPasswords = Object.fromEntries(SERVICES.map((s) => [s, secret()])) as Record<Service, string>;
  const redisPassword = secret();
  let certs: TlsCertificates;
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  let redisTlsPort: number;
  let natsUrl: string;
  const services: ServiceProcess[] = [];
  let api: ServiceProcess;

  const asService = (service: Service) =>
    connect({
      servers: natsUrl,
      user: service,
      pass: natsPasswords[service],
      tls: { caFile: certs.caFile },
      inboxPrefix: serviceInboxPrefix(service),
    });

  before(async () => {
    certs = createLoopbackCertificates();
    const conf = join(certs.dir, 'nats.conf');
    writeFileSync(
      conf,
      [
        ...SERVICES.map((s) => `NATS_PASSWORD_${s.toUpperCase().replace(/-/g, '_')}: "${natsPasswords[s]}"`),
        `tls { cert_file: "${certs.certFile}", key_file: "${certs.keyFile}", ca_file: "${certs.caFile}" }`,
        natsAccountsConfig(ORDER_SYSTEM_BUS_ACCESS),
      ].join('\n'),
    );
    redisTlsPort = await freePort();
    [nats, redis] = await Promise.all([
      startNatsServer({ args: ['-c', conf] }),
      startRedisServer({
        args: [
          ...['--tls-port', String(redisTlsPort), '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile],
          ...['--tls-ca-cert-file', certs.caFile, '--tls-auth-clients', 'no'],
          // The plain port stays for the test's own probes; its default user may only PING and INFO.
          ...['--user', ...'default on nopass -@all +ping +info'.split(' ')],
          ...['--user', ...`catga on >${redisPassword} ~${keyPrefix}:* &${keyPrefix}:* +@all -@dangerous +info`.split(' ')],
          ...['--user', ...`admin on >${adminPassword} ~* &* +@all`.split(' ')],
        ],
      }),
    ]);
    natsUrl = `tls://127.0.0.1:${nats.port}`;
    const env = (service: Service) => ({
      CATGA_SERVICE_NAME: service,
      CATGA_NATS_URL: natsUrl,
      CATGA_NATS_USER: service,
      CATGA_NATS_PASSWORD: natsPasswords[service],
      CATGA_NATS_TLS_CA: certs.caFile,
      CATGA_REDIS_URL: `rediss://catga:${redisPassword}@127.0.0.1:${redisTlsPort}`,
      CATGA_REDIS_TLS_CA: certs.caFile,
      CATGA_REDIS_PREFIX: keyPrefix,
    });
    services.push(...(await Promise.all(SERVICES.filter((s) => s !== 'order-api').map((s) => startService(s, env(s))))));
    api = await startService('order-api', env('order-api'));
    services.push(api);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.kill('SIGTERM')));
    await Promise.all([nats?.stop(), redis?.stop()]);
    certs?.remove();
  });

  it('an order is charged, reserved, completed and notified', async () => {
    const created = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
      customerId: 'c-locked',
      items: [{ productId: `p-${uniqueSuffix()}`, quantity: 2, price: 10 }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body) + services.map((s) => s.output()).join('\n'));
    assert.equal(created.body.status, 'Completed');
    const { orderId } = created.body;
    assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 0 });
    await eventually(async () => {
      const notes = await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=${orderId}`);
      assert.equal(notes.body.length, 1);
    });
    for (const s of services) assert.doesNotMatch(s.output(), /Permissions Violation/i, `${s.name} was refused a subject it needs`);
  });

  it('each service subscribes to the request subjects it serves, all of them, and reads replies only under its own inbox', async () => {
    const connz = (await (await fetch(`http://127.0.0.1:${nats.monitorPort}/connz?subs=1&auth=1&limit=1000`)).json()) as {
      connections: Array<{ name?: string; authorized_user?: string; subscriptions_list?: string[] }>;
    };
    for (const service of SERVICES) {
      const conn = connz.connections.find((c) => c.name?.startsWith(`${service}:`));
      assert.ok(conn, `no connection of ${service}`);
      assert.equal(conn.authorized_user, service);
      const subs = new Set(conn.subscriptions_list ?? []);
      const access: BusAccess = ORDER_SYSTEM_BUS_ACCESS[service];
      const requests = [...subs].filter((s) => s.startsWith(`${prefix}.req.`)).sort();
      assert.deepEqual(requests, (access.serves ?? []).map((t) => `${prefix}.req.${t}`).sort(), service);
      for (const s of subs) {
        if (s.startsWith('_INBOX')) assert.ok(s.startsWith(`${serviceInboxPrefix(service)}.`), `${service} reads replies on ${s}`);
      }
    }
  });

  it('refuses a client without credentials, or with a wrong password', async () => {
    await assert.rejects(connect({ servers: natsUrl, tls: { caFile: certs.caFile }, reconnect: false }), /Authorization Violation/i);
    await assert.rejects(
      connect({ servers: natsUrl, user: 'payment-service', pass: 'guess', tls: { caFile: certs.caFile }, reconnect: false }),
      /Authorization Violation/i,
    );
    // Plain text to the TLS-only port is refused too.
    await assert.rejects(
      connect({
        servers: `nats://127.0.0.1:${nats.port}`,
        user: 'order-api',
        pass: natsPasswords['order-api'],
        reconnect: false,
        tls: null,
      }),
    );
  });

  it("refuses another service's subjects: order-api may not charge, serve a command, read others' replies or delete a stream", async () => {
    const nc = await asService('order-api');
    try {
      await assert.rejects(
        nc.request(`${prefix}.req.payments.charge`, JSON.stringify({ orderId: 'x', amount: 1 }), { timeout: 2_000 }),
        /Permissions Violation|permission/i,
      );
      await assertSubscribeRefused(nc, `${prefix}.req.orders.place-order`);
      await assertSubscribeRefused(nc, `${serviceInboxPrefix('order-service')}.>`);
      await assertSubscribeRefused(nc, `${prefix}.evt.>`);
      const jsm = await jetstreamManager(nc);
      const stream = `${prefix.toUpperCase()}_EVENTS`;
      await assert.rejects(jsm.streams.delete(stream));
      await assert.rejects(jsm.streams.purge(stream));
    } finally {
      await nc.close();
    }
    const payments = await asService('payment-service');
    try {
      // A service may publish only the events it owns: payment-service cannot forge an order's completion.
      await assertPublishRefused(payments, `${prefix}.evt.orders.order-completed`);
    } finally {
      await payments.close();
    }
  });

  it('Redis refuses a client without the password, keys outside the prefix and dangerous commands; the services use TLS', async () => {
    const ca = readFileSync(certs.caFile);
    const anonymous = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 0 });
    const catga = new Redis({
      host: '127.0.0.1',
      port: redisTlsPort,
      username: 'catga',
      password: redisPassword,
      tls: { ca },
      maxRetriesPerRequest: 0,
    });
    const admin = new Redis({ host: '127.0.0.1', port: redis.port, username: 'admin', password: adminPassword, maxRetriesPerRequest: 0 });
    try {
      await assert.rejects(anonymous.get(`${keyPrefix}:sample:anything`), /NOPERM/);
      await assert.rejects(anonymous.flushall(), /NOPERM/);
      assert.equal(await catga.set(`${keyPrefix}:probe`, '1'), 'OK');
      await assert.rejects(catga.get('other-app:key'), /NOPERM/);
      await assert.rejects(catga.flushall(), /NOPERM/);
      await assert.rejects(catga.call('CONFIG', 'GET', 'requirepass'), /NOPERM/);
      const clients = String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => / user=catga /.test(line));
      assert.ok(clients.length >= SERVICES.length, `only ${clients.length} connections of the catga user`);
      for (const line of clients) assert.match(line, new RegExp(` laddr=127\\.0\\.0\\.1:${redisTlsPort} `), line);
    } finally {
      anonymous.disconnect();
      catga.disconnect();
      admin.disconnect();
    }
  });
});

/** Rejects when `work` has not settled within `ms`: a refusal that never comes fails the test instead of hanging it. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no refusal within ${ms} ms: ${what}`)), ms)),
  );
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function assertSubscribeRefused(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject);
  // The server answers a refused SUB with -ERR 'Permissions Violation for Subscription to …'; nats.js ends the subscription with it.
  const ended = (async () => {
    for await (const _ of sub) void _;
  })();
  await assert.rejects(within(ended, 5_000, `subscribe ${subject}`), /Permissions Violation/i);
}

async function assertPublishRefused(nc: NatsConnection, subject: string): Promise<void> {
  const refused = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && /Permissions Violation for Publish/i.test(String(s.error))) return;
    }
  })();
  nc.publish(subject, '{}');
  await within(refused, 5_000, `publish ${subject}`);
}
