import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { findBinary } from '../process/find-binary.js';
import { pollUntil } from '../wait/poll-until.js';
import { freePorts } from './free-port.js';
import { LOOPBACK_HOST } from './host-port.js';
import { isPortOpen } from './port-probe.js';
import { createNetworkNamespace, type NetworkNamespace } from './network-namespace.js';

// Inside: keeps one connection to the host's echo server busy ("echo" per answer, "error"/"close"
// if it ever fails), tries a fresh connection every second, and listens on its own address.
const INSIDE = `
const net = require('node:net');
const [port, ownPort, own] = process.argv.slice(1);
const say = (line) => process.stdout.write(line + '\\n');
const kept = net.connect(Number(port), '127.0.0.1');
kept.on('data', () => say('echo'));
kept.on('error', (e) => say('error ' + e.code));
kept.on('close', () => say('close'));
setInterval(() => kept.write('x'), 100);
setInterval(() => {
  const fresh = net.connect(Number(port), '127.0.0.1');
  fresh.setTimeout(1500, () => { say('connect timeout'); fresh.destroy(); });
  fresh.on('connect', () => { say('connect ok'); fresh.destroy(); });
  fresh.on('error', (e) => say('connect error ' + e.code));
}, 1000);
net.createServer((s) => s.end()).listen(Number(ownPort), own);
`;

describe('a network namespace that can be cut off from the host', () => {
  let network: NetworkNamespace;
  let echo: Server;
  let inside: ChildProcess;
  let output = '';
  const sockets = new Set<Socket>();
  let port: number;
  let ownPort: number;

  const since = (mark: number): string => output.slice(mark);
  const waitFor = (mark: number, line: string, timeoutMs: number) =>
    pollUntil(
      async () => {
        if (!since(mark).includes(`${line}\n`)) throw new Error(`no "${line}" yet; output since: ${since(mark).slice(-300)}`);
      },
      { description: `"${line}" from inside`, timeoutMs, intervalMs: 50 },
    );

  before(async () => {
    network = await createNetworkNamespace();
    [port, ownPort] = (await freePorts(2)) as [number, number];
    echo = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (data) => socket.write(data));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(port, LOOPBACK_HOST, resolve));
    const [ip, ...exec] = network.launcher;
    const args = [...exec, process.execPath, '-e', INSIDE, String(port), String(ownPort), network.address];
    inside = spawn(ip!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    inside.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  });

  after(async () => {
    inside?.kill('SIGKILL');
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
    await network?.remove();
  });

  it("reaches the host's loopback from inside, and the host reaches what listens on its address", async () => {
    await waitFor(0, 'echo', 10_000);
    await waitFor(0, 'connect ok', 10_000);
    assert.equal(await isPortOpen(ownPort, network.address), true);
  });

  it('cut, both ends hear silence: no error, no reset, connects time out; healed, the open connection carries on', async () => {
    await network.cut();
    const cutAt = output.length;
    await waitFor(cutAt, 'connect timeout', 10_000);
    assert.equal(await isPortOpen(ownPort, network.address, 1_000), false);
    assert.doesNotMatch(since(cutAt), /error|close|connect ok/);
    await network.heal();
    const healedAt = output.length;
    // The open connection resumes with TCP's next retransmission, seconds after the heal.
    await waitFor(healedAt, 'echo', 30_000);
    await waitFor(healedAt, 'connect ok', 10_000);
    assert.doesNotMatch(since(cutAt), /error|close/);
  });

  it('removed, it leaves no namespace behind', async () => {
    inside.kill('SIGKILL');
    await network.remove();
    const { stdout } = await promisify(execFile)(findBinary('ip'), ['netns', 'list']);
    assert.doesNotMatch(stdout, new RegExp(`^${network.name}\\b`, 'm'));
  });
});
