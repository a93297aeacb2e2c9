import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { serviceInboxPrefix, type BusAccess } from '@catga/nats';
import { redriveType } from '@catga/core';
import { ORDER_SYSTEM_BUS_ACCESS, type NotificationRecord, type PaymentRecord } from '@catga/order-contracts';
import {
  freePort,
  ManagedProcess,
  pollUntil,
  startNatsCluster,
  startRedisCluster,
  startRedisSentinelGroup,
  type NatsClusterHandle,
  type RedisClusterHandle,
  type RedisSentinelGroupHandle,
  type RedisServerHandle,
} from '@catga/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { http } from './http.js';
import { startService, type ServiceProcess } from './service-process.js';

type Service = keyof typeof ORDER_SYSTEM_BUS_ACCESS;
const SERVICES = Object.keys(ORDER_SYSTEM_BUS_ACCESS) as Service[];
const secret = () => randomBytes(18).toString('base64url');

/**
 * The order system on the locked-down deployment's own configuration: NATS with TLS and one user
 * per service holding the permissions generated from ORDER_SYSTEM_BUS_ACCESS, Redis with TLS only
 * and the ACL deploy/secrets.sh writes. The flow works, and nobody gets what their credentials do
 * not allow.
 */
describe('the order system with NATS accounts, per-service permissions and TLS, and Redis with an ACL user and TLS', () => {
  // The prefixes are the deployment's (the servers are this test's own).
  const prefix = 'catga';
  const keyPrefix = 'catga';
  const adminPassword = secret();
  let secretsDir: string;
  let secrets: Record<string, string>;
  let caFile: string;
  let nats: NatsClusterHandle;
  let redis: ManagedProcess;
  let redisTlsPort: number;
  let natsUrl: string;
  const services: ServiceProcess[] = [];
  let api: ServiceProcess;

  const asService = (service: Service) =>
    connect({
      servers: natsUrl,
      user: service,
      pass: secrets[passwordVariable(service)]!,
      tls: { caFile: caFile },
      inboxPrefix: serviceInboxPrefix(service),
    });

  const redisClient = (username: string | undefined, password: string | undefined) => tlsRedis(redisTlsPort, caFile, username, password);

  before(async () => {
    // The deployment's own files: deploy/secrets.sh makes the certificates, passwords and Redis ACL;
    // deploy/nats/nats.conf with the generated accounts.conf, and deploy/redis/redis.conf, run with
    // their paths and ports moved to this test's.
    ({ dir: secretsDir, values: secrets } = makeSecrets());
    caFile = join(secretsDir, 'tls', 'ca.crt');
    const natsStart = startLockedNats(secretsDir, secrets);
    redisTlsPort = await freePort();
    const redisDir = join(secretsDir, 'redis');
    mkdirSync(redisDir);
    // A test-only admin beside the deployment's users, to look at the server's clients.
    writeFileSync(
      join(redisDir, 'users.acl'),
      `${readFileSync(join(secretsDir, 'users.acl'), 'utf8')}user admin on >${adminPassword} ~* &* +@all\n`,
    );
    const redisConf = join(redisDir, 'redis.conf');
    writeFileSync(
      redisConf,
      read('deploy/redis/redis.conf')
        .replaceAll('/etc/redis/tls/', `${secretsDir}/tls/`)
        .replace('aclfile /etc/redis/users.acl', `aclfile ${join(redisDir, 'users.acl')}`)
        .replace(/^dir .*$/m, `dir ${redisDir}`)
        .replace(/^bind .*$/m, 'bind 127.0.0.1')
        .replace(/^tls-port .*$/m, `tls-port ${redisTlsPort}`),
    );
    redis = new ManagedProcess({
      name: `redis tls :${redisTlsPort}`,
      command: 'redis-server',
      args: [redisConf],
      logFile: join(redisDir, 'redis.log'),
    });
    [nats] = await Promise.all([natsStart, redis.start()]);
    await pollUntil(
      async () => {
        const probe = redisClient('catga', secrets.REDIS_CATGA_PASSWORD!);
        try {
          assert.equal(await probe.ping(), 'PONG');
        } finally {
          probe.disconnect();
        }
      },
      { description: 'redis over TLS answers the catga user', timeoutMs: 15_000, intervalMs: 100 },
    );
    natsUrl = natsUrlOf(nats);
    api = await startOrderSystem(services, nats, caFile, secrets, { CATGA_REDIS_URL: `rediss://127.0.0.1:${redisTlsPort}` });
  });

  after(async () => {
    await tearDown(services, [nats, redis], secretsDir);
  });

  it('an order is charged, reserved, completed and notified', async () => {
    await assertOrderCompletesAndIsNotified(api, services, 'c-locked', 2);
    for (const s of services) assert.doesNotMatch(s.output(), /Permissions Violation/i, `${s.name} was refused a subject it needs`);
  });

  it("each service subscribes to the request subjects it serves and its groups' redrives, all of them, and reads replies only under its own inbox", async () => {
    type Connz = { connections: Array<{ name?: string; authorized_user?: string; subscriptions_list?: string[] }> };
    const perNode = await Promise.all(
      nats.servers.map(
        async (n) => (await (await fetch(`http://127.0.0.1:${n.monitorPort}/connz?subs=1&auth=1&limit=1000`)).json()) as Connz,
      ),
    );
    const connz = { connections: perNode.flatMap((c) => c.connections) };
    for (const service of SERVICES) {
      const conn = connz.connections.find((c) => c.name?.startsWith(`${service}:`));
      assert.ok(conn, `no connection of ${service}`);
      assert.equal(conn.authorized_user, service);
      const subs = new Set(conn.subscriptions_list ?? []);
      const access: BusAccess = ORDER_SYSTEM_BUS_ACCESS[service];
      const requests = [...subs].filter((s) => s.startsWith(`${prefix}.req.`)).sort();
      const redrives = [...new Set((access.consumes ?? []).map((c) => redriveType(`${service}.${c.handler}`)))];
      assert.deepEqual(requests, [...(access.serves ?? []), ...redrives].map((t) => `${prefix}.req.${t}`).sort(), service);
      for (const s of subs) {
        if (s.startsWith('_INBOX')) assert.ok(s.startsWith(`${serviceInboxPrefix(service)}.`), `${service} reads replies on ${s}`);
      }
    }
  });

  it('refuses a client without credentials, or with a wrong password', async () => {
    await assert.rejects(connect({ servers: natsUrl, tls: { caFile: caFile }, reconnect: false }), /Authorization Violation/i);
    await assert.rejects(
      connect({ servers: natsUrl, user: 'payment-service', pass: 'guess', tls: { caFile: caFile }, reconnect: false }),
      /Authorization Violation/i,
    );
    // Plain text to the TLS-only port is refused too.
    await assert.rejects(
      connect({
        servers: `nats://127.0.0.1:${nats.node(0).port}`,
        user: 'order-api',
        pass: secrets[passwordVariable('order-api')]!,
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

  it('Redis speaks only TLS and refuses a client without the password, keys outside the prefix and dangerous commands', async () => {
    const anonymous = redisClient(undefined, undefined);
    const plain = new Redis({
      host: '127.0.0.1',
      port: redisTlsPort,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    plain.on('error', () => undefined);
    const catga = redisClient('catga', secrets.REDIS_CATGA_PASSWORD!);
    const admin = redisClient('admin', adminPassword);
    try {
      await assert.rejects(anonymous.get(`${keyPrefix}:sample:anything`), /NOAUTH/);
      await assert.rejects(plain.ping());
      assert.equal(await catga.set(`${keyPrefix}:probe`, '1'), 'OK');
      await assert.rejects(catga.get('other-app:key'), /NOPERM/);
      await assert.rejects(catga.flushall(), /NOPERM/);
      await assert.rejects(catga.call('CONFIG', 'GET', 'requirepass'), /NOPERM/);
      assert.deepEqual(await admin.call('CONFIG', 'GET', 'port'), ['port', '0'], 'no plain-text port');
      const clients = String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => / user=catga /.test(line));
      assert.ok(clients.length >= SERVICES.length, `only ${clients.length} connections of the catga user`);
    } finally {
      for (const client of [anonymous, plain, catga, admin]) client.disconnect();
    }
  });
});

/**
 * The same locked-down bus with Redis behind Sentinel and as a Cluster: TLS only (replication,
 * Sentinel's links and the cluster bus too), the deployment's ACL on every data node, and the
 * sentinels' own password.
 */
for (const mode of ['sentinel', 'cluster'] as const) {
  describe(`the locked-down order system with Redis in ${mode} mode, TLS and the deployment's ACL`, () => {
    const admin = { username: 'admin', password: secret() };
    const sentinelPassword = secret();
    let secretsDir: string;
    let secrets: Record<string, string>;
    let caFile: string;
    let nats: NatsClusterHandle;
    let redis: RedisSentinelGroupHandle | RedisClusterHandle;
    const services: ServiceProcess[] = [];
    let api: ServiceProcess;

    const dataNodes = (): readonly RedisServerHandle[] => redis.servers;
    const client = (port: number, username?: string, password?: string) => tlsRedis(port, caFile, username, password);

    before(async () => {
      ({ dir: secretsDir, values: secrets } = makeSecrets());
      caFile = join(secretsDir, 'tls', 'ca.crt');
      const tls = { certFile: join(secretsDir, 'tls', 'server.crt'), keyFile: join(secretsDir, 'tls', 'server.key'), caFile };
      const users = readFileSync(join(secretsDir, 'users.acl'), 'utf8').split('\n').filter(Boolean);
      const security = { tls, users, admin, sentinelPassword };
      const natsStart = startLockedNats(secretsDir, secrets);
      redis = mode === 'sentinel' ? await startRedisSentinelGroup({ security }) : await startRedisCluster({ security });
      nats = await natsStart;
      const nodes = mode === 'sentinel' ? (redis as RedisSentinelGroupHandle).sentinelNodes : (redis as RedisClusterHandle).nodes;
      api = await startOrderSystem(services, nats, caFile, secrets, {
        CATGA_REDIS_MODE: mode,
        CATGA_REDIS_URL: `rediss://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
        ...(mode === 'sentinel' ? { CATGA_REDIS_SENTINEL_NAME: 'catga', CATGA_REDIS_SENTINEL_PASSWORD: sentinelPassword } : {}),
      });
    });

    after(async () => {
      await tearDown(services, [nats, redis], secretsDir);
    });

    it('an order is charged, reserved, completed and notified', async () => {
      await assertOrderCompletesAndIsNotified(api, services, `c-${mode}`, 3);
    });

    it('the data nodes speak only TLS, refuse a client without the password, and hold the services as the catga user', async () => {
      const catgaConnections = await Promise.all(
        dataNodes().map(async (node) => {
          const anonymous = client(node.port);
          const catga = client(node.port, 'catga', secrets.REDIS_CATGA_PASSWORD);
          const adminClient = client(node.port, admin.username, admin.password);
          try {
            await assert.rejects(anonymous.ping(), /NOAUTH/);
            await assert.rejects(catga.call('CONFIG', 'GET', 'requirepass'), /NOPERM/);
            assert.deepEqual(await adminClient.call('CONFIG', 'GET', 'port'), ['port', '0'], `${node.port}: no plain-text port`);
            return String(await adminClient.call('CLIENT', 'LIST'))
              .split('\n')
              .filter((line) => / user=catga /.test(line)).length;
          } finally {
            for (const c of [anonymous, catga, adminClient]) c.disconnect();
          }
        }),
      );
      assert.ok(
        catgaConnections.reduce((a, b) => a + b, 0) >= SERVICES.length,
        `catga connections per node: ${catgaConnections.join(', ')}`,
      );
    });

    if (mode === 'sentinel') {
      it('the sentinels speak only TLS and refuse a client without their password', async () => {
        for (const node of (redis as RedisSentinelGroupHandle).sentinelNodes) {
          const anonymous = client(node.port);
          const withPassword = client(node.port, undefined, sentinelPassword);
          try {
            await assert.rejects(anonymous.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'catga'), /NOAUTH/);
            const primary = (await withPassword.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'catga')) as string[];
            assert.equal(Number(primary[1]), (redis as RedisSentinelGroupHandle).primary.port);
          } finally {
            anonymous.disconnect();
            withPassword.disconnect();
          }
        }
      });
    }
  });
}

const root = fileURLToPath(new URL('../../', import.meta.url));

const natsUrlOf = (nats: NatsClusterHandle) => nats.servers.map((n) => `tls://127.0.0.1:${n.port}`).join(',');

/** A Redis client over TLS trusting `caFile`, as `username` (or anonymous); its connection errors are the test's to see. */
function tlsRedis(port: number, caFile: string, username?: string, password?: string): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    ...(password ? { username, password } : {}),
    tls: { ca: readFileSync(caFile) },
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * Starts the five services as the deployment configures them: each its own NATS user over TLS,
 * Redis as the catga user over TLS (`redis` adds the URL and mode); returns order-api, all in `services`.
 */
async function startOrderSystem(
  services: ServiceProcess[],
  nats: NatsClusterHandle,
  caFile: string,
  secrets: Record<string, string>,
  redis: Record<string, string>,
): Promise<ServiceProcess> {
  const env = (service: Service) => ({
    CATGA_SERVICE_NAME: service,
    CATGA_NATS_URL: natsUrlOf(nats),
    CATGA_NATS_USER: service,
    CATGA_NATS_PASSWORD: secrets[passwordVariable(service)]!,
    CATGA_NATS_TLS_CA: caFile,
    CATGA_REDIS_USERNAME: 'catga',
    CATGA_REDIS_PASSWORD: secrets.REDIS_CATGA_PASSWORD!,
    CATGA_REDIS_TLS_CA: caFile,
    CATGA_REDIS_PREFIX: 'catga',
    ...redis,
  });
  services.push(...(await Promise.all(SERVICES.filter((s) => s !== 'order-api').map((s) => startService(s, env(s))))));
  const api = await startService('order-api', env('order-api'));
  services.push(api);
  return api;
}

async function tearDown(services: ServiceProcess[], servers: Array<{ stop(): Promise<void> } | undefined>, secretsDir: string | undefined) {
  await Promise.all(services.map((s) => s.kill('SIGTERM')));
  await Promise.all(servers.map((server) => server?.stop()));
  for (const s of SERVICES) delete process.env[passwordVariable(s)];
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
}

/** Places an order on order-api: it is Completed, charged once, and notified. */
async function assertOrderCompletesAndIsNotified(api: ServiceProcess, services: ServiceProcess[], customerId: string, quantity: number) {
  const created = await http<{ orderId: string; status: string }>(api.url, 'POST', '/api/orders', {
    customerId,
    items: [{ productId: `p-${uniqueSuffix()}`, quantity, price: 10 }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body) + services.map((s) => s.output()).join('\n'));
  assert.equal(created.body.status, 'Completed');
  const { orderId } = created.body;
  assert.deepEqual((await http<PaymentRecord>(api.url, 'GET', `/api/payments/${orderId}`)).body, { orderId, charged: 1, refunded: 0 });
  await eventually(async () => {
    const notes = await http<NotificationRecord[]>(api.url, 'GET', `/api/notifications?orderId=${orderId}`);
    assert.equal(notes.body.length, 1);
  });
}
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Runs deploy/secrets.sh into a temp dir: certificates, users.acl, operator token, and the .env values. */
function makeSecrets(): { dir: string; values: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'catga-secrets-'));
  execFileSync('bash', [join(root, 'deploy/secrets.sh')], {
    env: { ...process.env, CATGA_SECRETS_DIR: dir, CATGA_ENV_FILE: join(dir, '.env') },
    stdio: 'pipe',
  });
  return { dir, values: parseEnvFile(readFileSync(join(dir, '.env'), 'utf8')) };
}

/**
 * deploy/nats/nats.conf and accounts.conf on a 3-node cluster of this test's, with the passwords in
 * its environment: the harness gives each node its ports, store dir and routes (flags override the
 * file), the file gives TLS on the client port and on the routes (mutual), and the accounts.
 */
function startLockedNats(secretsDir: string, secrets: Record<string, string>): Promise<NatsClusterHandle> {
  for (const s of SERVICES) process.env[passwordVariable(s)] = secrets[passwordVariable(s)];
  process.env.NATS_SERVER_NAME = `locked-${uniqueSuffix()}`;
  const natsDir = mkdtempSync(join(secretsDir, 'nats-'));
  copyFileSync(join(root, 'deploy/nats/accounts.conf'), join(natsDir, 'accounts.conf'));
  const natsConf = join(natsDir, 'nats.conf');
  writeFileSync(
    natsConf,
    read('deploy/nats/nats.conf')
      .replaceAll('/etc/nats/tls/', `${secretsDir}/tls/`)
      // The harness gives the store dir (-sd); sync_interval is newer than the nats-server here (2.9).
      .replace(/^\s*store_dir: .*$/m, '')
      .replace(/^\s*sync_interval: .*$/m, ''),
  );
  return startNatsCluster({ size: 3, args: ['-c', natsConf] });
}

function passwordVariable(service: string): string {
  return `NATS_PASSWORD_${service.toUpperCase().replace(/-/g, '_')}`;
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

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
