import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { LOOPBACK_HOST } from '../net/host-port.js';
import { isPortOpen } from '../net/port-probe.js';
import { ProcessExitedError } from '../process/process-exited-error.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';
import { respCommand } from './redis-command.js';
import { RespError } from './resp-error.js';

describe('startRedisServer', () => {
  const started: RedisServerHandle[] = [];
  const start = async (...args: Parameters<typeof startRedisServer>): Promise<RedisServerHandle> => {
    const server = await startRedisServer(...args);
    started.push(server);
    return server;
  };

  after(async () => {
    await Promise.all(started.map((server) => server.stop()));
  });

  it('answers PING on its own loopback port', async () => {
    const redis = await start();
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    assert.notEqual(redis.port, 6379);
    assert.equal(await respCommand(redis.port, ['PING']), 'PONG');
    assert.equal((await redis.info('server'))['redis_version'], '7.0.15');
    await assert.rejects(redis.command(['NOSUCHCOMMAND']), RespError);
  });

  it('answers again after SIGKILL and restart; without AOF the data is gone', async () => {
    const redis = await start();
    await redis.command(['SET', 'volatile', '1']);
    const pid = redis.process.pid;
    assert.equal((await redis.kill()).signal, 'SIGKILL');
    assert.equal(await isPortOpen(redis.port), false);
    await redis.restart();
    assert.notEqual(redis.process.pid, pid);
    assert.equal(await redis.command(['PING']), 'PONG');
    assert.equal(await redis.command(['GET', 'volatile']), null);
  });

  it('with appendonly keeps a key across SIGKILL and restart', async () => {
    const redis = await start({ appendonly: true });
    assert.equal((await redis.info('persistence'))['aof_enabled'], '1');
    await redis.command(['SET', 'durable', 'order-42']);
    await redis.kill('SIGKILL');
    await redis.restart();
    assert.equal(await redis.command(['GET', 'durable']), 'order-42');
  });

  it('starts a replica that has synced with its primary', async () => {
    const primary = await start();
    await primary.command(['SET', 'replicated', 'yes']);
    const replica = await start({ replicaOf: primary });
    const replication = await replica.info('replication');
    assert.equal(replication['role'], 'slave');
    assert.equal(replication['master_port'], String(primary.port));
    assert.equal(await replica.command(['GET', 'replicated']), 'yes');
  });

  it('stop() closes the port and removes the data dir', async () => {
    const redis = await start();
    await redis.stop();
    assert.equal(await isPortOpen(redis.port), false);
    assert.equal(existsSync(redis.dir), false);
    await redis.stop();
  });

  it('a server that cannot bind its port fails fast with the reason from its log', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, LOOPBACK_HOST, resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address !== null ? address.port : assert.fail('no port');
    try {
      const error = await startRedisServer({ args: ['--port', String(taken)] }).catch((e: unknown) => e);
      assert.ok(error instanceof ProcessExitedError, String(error));
      assert.match(error.logTail, /Address already in use/);
    } finally {
      blocker.close();
    }
  });
});
