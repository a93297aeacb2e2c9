import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LOOPBACK_HOST } from '../net/host-port.js';
import { isPortOpen } from '../net/port-probe.js';
import { ProcessExitedError } from '../process/process-exited-error.js';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';
import { natsRequest, readServerInfo } from './raw-nats-client.spec-helper.js';

describe('startNatsServer', () => {
  let server: NatsServerHandle | undefined;
  const nats = (): NatsServerHandle => server ?? assert.fail('server did not start');

  before(async () => {
    server = await startNatsServer();
  });

  after(async () => {
    await server?.stop();
  });

  it('accepts NATS client connections on its loopback port', async () => {
    assert.match(nats().url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(nats().port, 4222);
    const info = await readServerInfo(nats().port);
    assert.equal(info.server_name, nats().name);
    assert.equal(info.jetstream, true);
  });

  it('reports JetStream enabled in /varz, storing under its own temp dir', async () => {
    const varz = await nats().monitor.varz();
    assert.equal(varz.version, '2.9.10');
    assert.equal(varz.jetstream?.config?.store_dir, `${nats().storeDir}/jetstream`);
  });

  it('keeps JetStream streams across SIGKILL and restart', async () => {
    const created = JSON.parse(
      await natsRequest(
        nats().port,
        '$JS.API.STREAM.CREATE.ORDERS',
        JSON.stringify({ name: 'ORDERS', subjects: ['orders.>'], storage: 'file' }),
      ),
    ) as { error?: unknown };
    assert.equal(created.error, undefined, JSON.stringify(created));
    const pid = nats().process.pid;
    const exit = await nats().kill();
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(await isPortOpen(nats().port), false);
    await nats().restart();
    assert.notEqual(nats().process.pid, pid);
    assert.equal((await nats().monitor.jsz()).streams, 1);
  });

  it('stop() closes the port, removes the store dir, and is idempotent', async () => {
    const { port, storeDir } = nats();
    await nats().stop();
    assert.equal(nats().isRunning, false);
    assert.equal(await isPortOpen(port), false);
    assert.equal(existsSync(storeDir), false);
    await nats().stop();
    await assert.rejects(nats().restart(), /was stopped/);
  });

  it('runs without JetStream when asked', async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      assert.equal((await readServerInfo(plain.port)).jetstream ?? false, false);
      assert.equal((await plain.monitor.varz()).jetstream?.config, undefined);
    } finally {
      await plain.stop();
    }
  });

  it('a server that cannot bind its port fails fast with the reason from its log', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, LOOPBACK_HOST, resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address !== null ? address.port : assert.fail('no port');
    try {
      const error = await startNatsServer({ args: ['-p', String(taken)] }).catch((e: unknown) => e);
      assert.ok(error instanceof ProcessExitedError, String(error));
      assert.match(error.logTail, /address already in use/);
    } finally {
      blocker.close();
    }
  });
});
