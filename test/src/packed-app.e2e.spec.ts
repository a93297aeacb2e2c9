import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { uniqueSuffix } from '@catga/core/conformance';
import {
  freePort,
  pollUntil,
  respCommand,
  startNatsServer,
  startRedisServer,
  type NatsServerHandle,
  type RedisServerHandle,
} from '@catga/testing';
import { http } from './http.js';

// The published packages, packed from their dist as `npm publish` would, installed into an app
// that knows nothing of this repository, and run as two services over NATS and Redis.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/packed-app', import.meta.url));
const PUBLISHED = ['core', 'nats', 'redis', 'observability'] as const;
/** What a Nest 12 app with @nestjs/cqrs has, plus what README "Add Catga to your app" installs. */
const APP_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/cqrs',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
  'class-validator',
  'class-transformer',
  'ioredis',
  '@opentelemetry/api',
];
const APP_DEV_DEPENDENCIES = ['typescript', '@types/node', '@nestjs/cli'];
/** Packages of which a second copy would split registries or DI tokens. */
const SINGLETONS = ['@catga/core', '@nestjs/common', '@nestjs/core', '@nestjs/cqrs'];

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
}
type Lock = { packages: Record<string, LockEntry> };

interface Service {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The version the repository's lock installs, so the fresh install is served from the npm cache. */
function lockedVersion(lock: Lock, name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  assert.ok(version, `${name} is not in the repository's package-lock.json`);
  return version;
}

/** npm as a user runs it: none of the repository's npm script environment (workspace, prefix). */
function npmEnv(): NodeJS.ProcessEnv {
  const kept = /^npm_config_(registry|cache|userconfig|globalconfig|.*proxy|strict_ssl|cafile)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.test(key)));
}

async function npm(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    console.log(`packed app: ${phase} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

async function startApp(app: string, name: string, env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CATGA_')));
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: { ...inherited, ...env, SERVICE: name, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const service = { name, url: `http://127.0.0.1:${port}`, child, output: () => output };
  try {
    await pollUntil(
      async () => {
        const response = await fetch(`${service.url}/health/ready`);
        if (response.status !== 200) throw new Error(`/health/ready ${response.status}`);
      },
      {
        description: `${name} ready`,
        timeoutMs: 30_000,
        abortIf: () => {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
        },
        diagnostics: () => output.slice(-3000),
      },
    );
  } catch (error) {
    await stopApp(service); // not left running when it never got ready
    throw error;
  }
  return service;
}

async function stopApp(service: Service): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(deadline);
}

describe('the packed packages in a fresh Nest app, as a user installs them', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'catga-packed-app-'));
  const app = join(tmp, 'shop');
  const prefix = `packed${uniqueSuffix()}`;
  const services: Service[] = [];
  let nats: NatsServerHandle | undefined;
  let redis: RedisServerHandle | undefined;
  let api: Service;
  let billing: Service;

  before(
    async () => {
      const packs = join(tmp, 'packs');
      mkdirSync(packs);
      const tarballs = await timed('npm pack', async () => {
        const names: Record<string, string> = {};
        for (const pkg of PUBLISHED) {
          const out = await npm(join(root, 'libs', pkg), ['pack', '--pack-destination', packs, '--ignore-scripts', '--json']);
          const [report] = JSON.parse(out) as Array<{ name: string; filename: string }>;
          names[report!.name] = `file:../packs/${report!.filename}`;
        }
        return names;
      });

      const lock = readJson<Lock>(join(root, 'package-lock.json'));
      const pinned = (names: string[]) => Object.fromEntries(names.map((name) => [name, lockedVersion(lock, name)]));
      cpSync(fixture, app, { recursive: true });
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify(
          {
            name: 'shop',
            version: '0.0.1',
            private: true,
            type: 'module',
            scripts: { build: 'nest build', 'start:prod': 'node dist/main' },
            dependencies: { ...tarballs, ...pinned(APP_DEPENDENCIES) },
            devDependencies: pinned(APP_DEV_DEPENDENCIES),
          },
          null,
          2,
        ),
      );
      await timed('npm install', () => npm(app, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']));
      // With the Nest CLI, as the app's own `npm run build`; tsconfig.build.json turns skipLibCheck
      // off, so the packages' declarations must resolve in the app, not be skipped.
      await timed('nest build', async () => {
        try {
          await run(process.execPath, [join(app, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], { cwd: app });
        } catch (error) {
          const { stdout, stderr } = error as { stdout?: string; stderr?: string };
          throw new Error(`the app does not compile:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
        }
      });

      [nats, redis] = await timed('servers', () => Promise.all([startNatsServer(), startRedisServer()]));
      const env = { NATS_URL: nats.url, REDIS_URL: redis.url, SHOP_PREFIX: prefix };
      await timed('services', async () => {
        for (const name of ['billing', 'api']) services.push(await startApp(app, name, env));
      });
      [billing, api] = services as [Service, Service];
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await timed('cleanup', async () => {
      await Promise.all(services.map(stopApp));
      await Promise.all([nats?.stop(), redis?.stop()]);
      rmSync(tmp, { recursive: true, force: true });
    });
  });

  it('the app has one copy of @catga/core (and of Nest), from its tarball, and the tarballs’ dependencies from the registry', () => {
    const installed = readJson<Lock>(join(app, 'package-lock.json')).packages;
    for (const name of SINGLETONS) {
      const copies = Object.keys(installed).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
      assert.deepEqual(copies, [`node_modules/${name}`], `copies of ${name}`);
      assert.equal(lstatSync(join(app, 'node_modules', name)).isSymbolicLink(), false, `${name} is a link`);
    }
    for (const pkg of PUBLISHED) {
      const name = `@catga/${pkg}`;
      assert.match(installed[`node_modules/${name}`]?.resolved ?? '', /^file:\.\.\/packs\/catga-.+\.tgz$/, `${name} not from its tarball`);
      const manifest = readJson<{ dependencies?: Record<string, string> }>(join(app, 'node_modules', name, 'package.json'));
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        // A registry package: an integrity hash, and no `resolved` other than a registry URL (npm may omit it).
        const entry = installed[`node_modules/${dependency}`];
        assert.ok(
          entry?.integrity && !entry.link && /^(https:\/\/.*)?$/.test(entry.resolved ?? ''),
          `${name}'s ${dependency}: ${JSON.stringify(entry)}`,
        );
      }
    }
  });

  it('an HttpException thrown in billing answers the api’s HTTP request with its status and body', async () => {
    const response = await http(api.url, 'POST', '/orders/o-409/charge', { card: 'used' });
    assert.equal(response.status, 409, JSON.stringify(response.body));
    assert.deepEqual(response.body, { message: 'order o-409 already charged', error: 'Conflict', statusCode: 409 });
  });

  it('a user error class thrown in billing is caught in the api as that class, with its field', async () => {
    const response = await http(api.url, 'POST', '/orders/o-402/try-charge', { card: '4000-0002' });
    assert.equal(response.status, 201);
    assert.deepEqual(response.body, {
      failed: 'CardDeclinedError',
      cardDeclined: true,
      card: '4000-0002',
      message: 'card 4000-0002 declined',
    });
  });

  it('an RxJS saga in the api reacts to billing’s event with a command billing handles', async () => {
    const charged = await http(api.url, 'POST', '/orders/o-saga/charge', { card: '4242-4242' });
    assert.equal(charged.status, 201, JSON.stringify(charged.body));
    assert.deepEqual(charged.body, { receipt: 'r-o-saga' });
    await pollUntil(
      async () => {
        const { body } = await http<{ receipt: string | null }>(api.url, 'GET', '/orders/o-saga/receipt');
        assert.deepEqual(body, { orderId: 'o-saga', receipt: 'r-o-saga' });
      },
      {
        description: 'the receipt the saga sent',
        timeoutMs: 15_000,
        diagnostics: () => `${api.output().slice(-2000)}\n${billing.output().slice(-2000)}`,
      },
    );
  });

  it('a request-scoped handler in billing answers each remote call with a fresh instance', async () => {
    const first = await http<{ instance: number; service: string }>(api.url, 'POST', '/stamps');
    const second = await http<{ instance: number; service: string }>(api.url, 'POST', '/stamps');
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.service, 'billing');
    assert.equal(second.body.service, 'billing');
    assert.notEqual(second.body.instance, first.body.instance);
  });

  it('both services are ready over NATS and Redis, with their state under their own prefix', async () => {
    for (const service of [api, billing]) {
      const ready = await http<{ status: string; details: { transport: { name: string }; stores: { redis: boolean } } }>(
        service.url,
        'GET',
        '/health/ready',
      );
      assert.equal(ready.status, 200, `${service.name}: ${JSON.stringify(ready.body)}`);
      assert.equal(ready.body.details.transport.name, 'nats', service.name);
      assert.equal(ready.body.details.stores.redis, true, service.name);
    }
    const keys = (await respCommand(redis!.port, ['KEYS', `${prefix}:billing:*`])) as string[];
    assert.ok(keys.length > 0, `no keys under ${prefix}:billing`);
  });
});
