import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DeadLetterDetail, DeadLetterEntry, RedriveResult, SagaState } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

// The `catga` command line, run as a person on call would, against real NATS and Redis servers
// and a service running as its own process (test/src/fixtures/on-call-service.main.ts).

const CATGA = fileURLToPath(new URL('../../libs/cli/dist/main.js', import.meta.url));
const SERVICE = fileURLToPath(new URL('./fixtures/on-call-service.main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function catga(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CATGA, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function catgaJson<T>(env: Record<string, string>, ...args: string[]): Promise<T> {
  const run = await catga(env, '--json', ...args);
  assert.equal(run.code, 0, `catga ${args.join(' ')}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

describe('the catga command line', () => {
  let nats: NatsServerHandle;
  let redis: RedisServerHandle;
  let client: Redis;

  before(async () => {
    [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    client = new Redis(redis.url);
  });

  after(async () => {
    client?.disconnect();
    await Promise.all([nats?.stop(), redis?.stop()]);
  });

  for (const transport of ['nats', 'redis-streams'] as const) {
    describe(`over ${transport}`, () => {
      const prefix = `cli${transport === 'nats' ? 'n' : 'r'}${uniqueSuffix()}`;
      let env: Record<string, string>;
      let service: ServiceProcess;

      before(async () => {
        env =
          transport === 'nats'
            ? { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: prefix }
            : { CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: prefix };
        await client.set(`${prefix}:parcel-broken`, '1');
        await client.set(`${prefix}:release-broken`, '1');
        const serviceEnv = {
          ...env,
          CATGA_NATS_URL: nats.url,
          ...(transport === 'redis-streams' ? { ONCALL_TRANSPORT: 'redis-streams' } : {}),
        };
        service = await startNodeProcess(SERVICE, serviceEnv, /ready/, `${prefix}-service`);
      });

      after(async () => {
        await service?.kill('SIGTERM');
      });

      const cli = (...args: string[]) =>
        catga(
          transport === 'nats' ? env : { ...env, CATGA_NATS_URL: '' },
          ...(transport === 'nats' ? [] : ['--transport', 'redis-streams']),
          ...args,
        );
      const cliJson = <T>(...args: string[]) =>
        catgaJson<T>(
          transport === 'nats' ? env : { ...env, CATGA_NATS_URL: '' },
          ...(transport === 'nats' ? [] : ['--transport', 'redis-streams']),
          ...args,
        );

      it('a poison event is dead-lettered, listed, shown, redriven once fixed, handled once, and gone', async () => {
        const published = await cli('publish', 'oncall.parcel-lost', '{"parcel":"p-1"}', '--message-id', `${prefix}-m1`);
        assert.equal(published.code, 0, published.stderr);

        const [entry] = await eventually(async () => {
          const items = await cliJson<DeadLetterEntry[]>('dlq', 'list', '--type', 'oncall.parcel-lost');
          assert.equal(items.length, 1);
          return items;
        }, 30_000);
        assert.equal(entry!.messageId, `${prefix}-m1`);
        assert.equal(entry!.group, 'on-call.ParcelLostHandler');
        assert.equal(entry!.error.code, 'ONCALL_LEDGER_CLOSED');
        assert.equal(entry!.deliveries, 2);

        const table = await cli('dlq', 'list', '--since', '1h');
        assert.equal(table.code, 0, table.stderr);
        assert.match(table.stdout, /oncall\.parcel-lost/);
        assert.match(table.stdout, /ONCALL_LEDGER_CLOSED/);
        assert.match(table.stdout, /1 dead letter\(s\)/);

        const detail = await cliJson<DeadLetterDetail>('dlq', 'show', entry!.id);
        assert.deepEqual(detail.body, { parcel: 'p-1' });
        assert.match(detail.error.message, /claims ledger is closed for p-1/);

        const stillBroken = await cli('dlq', 'redrive', entry!.id);
        assert.equal(stillBroken.code, 1, 'a redrive that fails again exits 1');
        assert.match(stillBroken.stdout, /0 redriven, 1 failed/);
        assert.equal((await cliJson<DeadLetterEntry[]>('dlq', 'list')).length, 1, 'and the dead letter stays');

        const dry = await cliJson<RedriveResult[]>('dlq', 'redrive', '--all', '--dry-run');
        assert.deepEqual(
          dry.map((r) => r.outcome),
          ['would-redrive'],
        );

        await client.del(`${prefix}:parcel-broken`);
        const redriven = await cliJson<RedriveResult[]>('dlq', 'redrive', '--type', 'oncall.parcel-lost');
        assert.deepEqual(
          redriven.map((r) => [r.id, r.outcome]),
          [[entry!.id, 'redriven']],
        );
        assert.equal(await client.hget(`${prefix}:parcels`, `${prefix}-m1`), '1', 'handled once, under its own message id');
        assert.deepEqual(await cliJson<DeadLetterEntry[]>('dlq', 'list'), []);
        assert.equal((await cli('dlq', 'show', entry!.id)).code, 3, 'gone: not found');
      });

      it('purge asks for confirmation, and removes what it is told to', async () => {
        await client.set(`${prefix}:parcel-broken`, '1');
        assert.equal((await cli('publish', 'oncall.parcel-lost', '{"parcel":"p-2"}')).code, 0);
        await eventually(async () => assert.equal((await cliJson<DeadLetterEntry[]>('dlq', 'list')).length, 1), 30_000);
        const unconfirmed = await cli('dlq', 'purge', '--all');
        assert.equal(unconfirmed.code, 5);
        assert.match(unconfirmed.stderr, /--yes/);
        assert.equal((await cliJson<DeadLetterEntry[]>('dlq', 'list')).length, 1);
        assert.deepEqual(await cliJson<{ purged: number }>('dlq', 'purge', '--all', '--yes'), { purged: 1 });
        assert.deepEqual(await cliJson<DeadLetterEntry[]>('dlq', 'list'), []);
      });

      it('a failed saga is listed, shown, and retried from the terminal: its service resumes it and it ends Compensated', async () => {
        const refund = `${prefix}-refund`;
        const started = await cliJson<{ ok: boolean; result: { status: string } }>(
          'send',
          'oncall.start-refund',
          JSON.stringify({ refund }),
        );
        assert.equal(started.result.status, 'Failed');
        const failed = await cliJson<SagaState[]>('sagas', '--status', 'Failed');
        assert.deepEqual(
          failed.map((s) => s.sagaId),
          [refund],
        );
        const shown = await cliJson<SagaState>('saga', 'show', refund);
        assert.deepEqual(
          shown.steps.map((s) => s.status),
          ['CompensationFailed', 'Failed'],
        );
        const human = await cli('saga', 'show', refund);
        assert.match(human.stdout, /ONCALL_LEDGER_CLOSED/);

        await client.del(`${prefix}:release-broken`);
        const retried = await cli('saga', 'retry', refund);
        assert.equal(retried.code, 0, retried.stderr);
        assert.match(retried.stdout, /Compensating/);
        const ended = await eventually(async () => {
          const state = await cliJson<SagaState>('saga', 'show', refund);
          assert.equal(state.status, 'Compensated');
          return state;
        }, 30_000);
        assert.equal(ended.steps[0]!.compensationRound, 1);
        assert.equal(await client.hget(`${prefix}:released`, refund), '1', 'the stock was released once');
        assert.equal((await cli('saga', 'retry', refund)).code, 5, 'a Compensated saga is not retried');
        assert.equal((await cli('saga', 'abort', refund)).code, 5, 'nor aborted');
        assert.equal((await cli('saga', 'show', 'no-such-saga')).code, 3);
      });

      it('a saga stuck in a step is aborted from the terminal: its service compensates it, the step in progress too', async () => {
        const refund = `${prefix}-held`;
        await client.set(`${prefix}:hold`, '1');
        assert.deepEqual(await cliJson('send', 'oncall.start-held-refund', JSON.stringify({ refund })), {
          ok: true,
          result: { started: true },
        });
        await eventually(async () => assert.equal((await cliJson<SagaState>('saga', 'show', refund)).steps[0]!.status, 'Running'), 30_000);
        assert.equal((await cli('saga', 'retry', refund)).code, 5, 'a running saga is not retried');
        const aborted = await cli('saga', 'abort', refund, '--reason', 'stuck on the warehouse');
        assert.equal(aborted.code, 0, aborted.stderr);
        assert.match(aborted.stdout, /Compensating/);
        await client.del(`${prefix}:hold`);
        const ended = await eventually(async () => {
          const state = await cliJson<SagaState>('saga', 'show', refund);
          assert.equal(state.status, 'Compensated');
          return state;
        }, 30_000);
        assert.deepEqual(
          ended.steps.map((s) => s.status),
          ['Compensated', 'Pending'],
        );
        assert.match(ended.error?.message ?? '', /stuck on the warehouse/);
        assert.equal(await client.hget(`${prefix}:released`, refund), '1');
      });

      it('send prints the result or the typed error; cluster shows the service; bad input exits 2', async () => {
        assert.deepEqual(await cliJson('send', 'oncall.echo', '{"value":[1,"two"]}'), { ok: true, result: { echoed: [1, 'two'] } });
        const unknown = await cli('send', 'oncall.nobody-serves-this', '{}', '--timeout', '2s');
        assert.equal(unknown.code, 3, unknown.stderr);
        assert.match(unknown.stderr, /HANDLER_NOT_FOUND/);
        if (transport === 'nats') {
          const watch = spawn(process.execPath, [CATGA, 'cluster', '--watch', '--json', '--interval', '200ms', '--listen', '0s'], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let lines = '';
          watch.stdout.on('data', (d: Buffer) => (lines += d.toString()));
          await eventually(() => assert.ok(lines.split('\n').filter(Boolean).length >= 2, 'redrawn'), 20_000);
          const exited = new Promise<number | null>((resolve) => watch.once('exit', resolve));
          watch.kill('SIGINT');
          assert.equal(await exited, 0, 'ctrl-c ends the watch cleanly');
          assert.ok(JSON.parse(lines.split('\n')[0]!).self, 'each redraw is the snapshot as JSON');
          const cluster = await cliJson<{ members: Array<{ service: string; status: string; self: boolean }> }>(
            'cluster',
            '--listen',
            '5s',
          );
          assert.ok(
            cluster.members.some((m) => m.service === 'on-call' && m.status === 'ready'),
            JSON.stringify(cluster.members),
          );
        } else {
          const cluster = await cli('cluster', '--listen', '0s');
          assert.equal(cluster.code, 4, 'Redis Streams carries no presence: said, not an empty table');
          assert.match(cluster.stderr, /NOT_SUPPORTED: The redis-streams transport carries no presence/);
        }
        assert.equal((await cli('dlq', 'list', '--since', 'soon')).code, 2);
        assert.equal((await cli('send', 'oncall.echo', '{not json')).code, 2);
        assert.equal((await cli('dlq', 'redrive')).code, 2, 'a redrive that names nothing');
        assert.equal((await cli('no-such-command')).code, 2);
        const help = await cli('dlq', 'redrive', '--help');
        assert.equal(help.code, 0);
        assert.match(help.stdout, /--dry-run/);
      });
    });
  }

  it('says what it cannot reach, with exit 4', async () => {
    const run = await catga({ CATGA_NATS_URL: '', CATGA_REDIS_URL: '' }, 'dlq', 'list', '--nats', 'nats://127.0.0.1:1');
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /Cannot connect/);
  });
});
