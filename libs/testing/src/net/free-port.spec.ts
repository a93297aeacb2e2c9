import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { TempDir } from '../fs/temp-dir.js';
import { ManagedProcess } from '../process/managed-process.js';
import { ProcessExitedError } from '../process/process-exited-error.js';
import { WaitTimeoutError } from '../wait/wait-timeout-error.js';
import { freePort, freePorts } from './free-port.js';
import { LOOPBACK_HOST } from './host-port.js';
import { isPortOpen } from './port-probe.js';
import { waitForPort } from './wait-for-port.js';

describe('free ports and waitForPort', () => {
  const dir = new TempDir('free-port-spec');
  after(() => dir.remove());

  it('freePorts returns distinct loopback ports that can be bound right away', async () => {
    const ports = await freePorts(6);
    assert.equal(new Set(ports).size, 6);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, LOOPBACK_HOST, resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('waitForPort resolves once something listens, and isPortOpen sees open and closed ports', async () => {
    const port = await freePort();
    assert.equal(await isPortOpen(port), false);
    const server = createServer((socket) => socket.destroy());
    const listening = new Promise<void>((resolve) => server.listen(port, LOOPBACK_HOST, resolve));
    await waitForPort(port, { timeoutMs: 5_000 });
    await listening;
    assert.equal(await isPortOpen(port), true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal(await isPortOpen(port), false);
  });

  it('waitForPort times out with an error naming the port', async () => {
    const port = await freePort();
    const error = await waitForPort(port, { timeoutMs: 300 }).catch((e: unknown) => e);
    assert.ok(error instanceof WaitTimeoutError);
    assert.match(error.message, new RegExp(`${port}`));
  });

  it('waitForPort fails fast with the log tail when the watched process dies', async () => {
    const dying = new ManagedProcess({
      name: 'dying',
      command: process.execPath,
      args: ['-e', "console.error('fatal: cannot bind'); process.exit(3)"],
      logFile: dir.file('dying.log'),
    });
    await dying.start();
    const started = Date.now();
    const error = await waitForPort(await freePort(), { timeoutMs: 20_000, process: dying }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessExitedError, String(error));
    assert.deepEqual(error.exit, { code: 3, signal: null });
    assert.match(error.message, /fatal: cannot bind/);
    assert.ok(Date.now() - started < 10_000);
  });
});
