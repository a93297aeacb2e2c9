import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { eventually } from '@catga/core/conformance';
import { http } from './http.js';

const main = fileURLToPath(new URL('../../apps/order-api/dist/main.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('the embedded order system as started by npm start', () => {
  it('serves orders on PORT with no NATS or Redis, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    delete env.CATGA_NATS_URL;
    delete env.CATGA_REDIS_URL;
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit');
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(
        async () => {
          const r = await fetch(`${base}/api/inventory/probe`);
          assert.equal(r.status, 200);
        },
        20_000,
        100,
      );
      const created = await http<{ orderId: string; status: string }>(base, 'POST', '/api/orders', {
        customerId: 'npm-start',
        items: [{ productId: 'widget', quantity: 1, price: 9.99 }],
      });
      assert.equal(created.status, 201, output);
      assert.equal(created.body.status, 'Completed');
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      // Nest closes the app, then re-raises the signal so the exit reports it.
      assert.ok(code === 0 || signal === 'SIGTERM', `exit ${code} ${signal}\n${output}`);
      assert.match(output, /order-api \(.+\) drained and closed/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
