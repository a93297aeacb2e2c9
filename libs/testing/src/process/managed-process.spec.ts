import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { TempDir } from '../fs/temp-dir.js';
import { pollUntil } from '../wait/poll-until.js';
import { WaitTimeoutError } from '../wait/wait-timeout-error.js';
import { ManagedProcess } from './managed-process.js';

const dir = new TempDir('managed-process-spec');
const started: ManagedProcess[] = [];

function nodeProcess(name: string, script: string): ManagedProcess {
  const managed = new ManagedProcess({
    name,
    command: process.execPath,
    args: ['-e', script],
    logFile: dir.file(`${name}.log`),
  });
  started.push(managed);
  return managed;
}

/** Gone, or a zombie nobody has reaped yet: either way no longer running code. */
function isDead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

// Output is assembled at run time so the command line echoed into the log cannot satisfy a check.
const LONG_RUNNING = "console.log('out', 'line'); console.error('err', 'line'); setInterval(() => {}, 1000);";

/** Waits until the program itself (not the start banner) has logged `text`. */
async function waitForOutput(managed: ManagedProcess, text: string): Promise<void> {
  await pollUntil(
    () => {
      const output = managed
        .logTail()
        .split('\n')
        .filter((line) => !line.startsWith('--- '));
      if (!output.some((line) => line.includes(text))) throw new Error(`${text} not logged yet`);
    },
    { description: `${managed.name} to log ${text}`, timeoutMs: 5_000, intervalMs: 20 },
  );
}

describe('ManagedProcess', () => {
  after(async () => {
    await Promise.all(started.map((managed) => managed.stop()));
    dir.remove();
  });

  it('captures stdout and stderr in its log file and exposes pid and isRunning', async () => {
    const managed = nodeProcess('logs', LONG_RUNNING);
    await managed.start();
    assert.equal(managed.isRunning, true);
    assert.equal(typeof managed.pid, 'number');
    await waitForOutput(managed, 'err line');
    await waitForOutput(managed, 'out line');
    await managed.stop();
    assert.equal(managed.isRunning, false);
    assert.equal(managed.pid, undefined);
  });

  it('kill(SIGKILL) reports the signal; restart() runs the same command again with a new pid', async () => {
    const managed = nodeProcess('restart', LONG_RUNNING);
    await managed.start();
    const firstPid = managed.pid as number;
    const exit = await managed.kill('SIGKILL');
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    assert.equal(isDead(firstPid), true);
    await managed.restart();
    assert.equal(managed.isRunning, true);
    assert.notEqual(managed.pid, firstPid);
    assert.equal(managed.startCount, 2);
    assert.equal(readFileSync(managed.logFile, 'utf8').match(/ start #\d+: /g)?.length, 2);
  });

  it('waitForExit rejects with WaitTimeoutError while the process keeps running', async () => {
    const managed = nodeProcess('wait', LONG_RUNNING);
    await managed.start();
    await assert.rejects(managed.waitForExit(100), WaitTimeoutError);
    assert.equal(managed.isRunning, true);
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const managed = nodeProcess(
      'stubborn',
      "process.on('SIGTERM', () => console.log('ignoring', 'SIGTERM')); console.log('handler', 'ready'); setInterval(() => {}, 1000);",
    );
    await managed.start();
    // The handler must be installed before SIGTERM arrives, or the default action kills it anyway.
    await waitForOutput(managed, 'handler ready');
    await managed.stop(300);
    assert.equal(managed.exitInfo?.signal, 'SIGKILL');
    await waitForOutput(managed, 'ignoring SIGTERM');
  });

  it('start() rejects when the executable does not exist', async () => {
    const managed = new ManagedProcess({
      name: 'missing',
      command: '/nonexistent/binary',
      args: [],
      logFile: dir.file('missing.log'),
    });
    await assert.rejects(managed.start(), /cannot start missing.*ENOENT/);
    assert.equal(managed.isRunning, false);
  });

  for (const ending of ['exit', 'SIGTERM'] as const) {
    it(`kills its children when the owning process ends (${ending})`, async () => {
      const moduleUrl = new URL('./managed-process.js', import.meta.url).href;
      const owner = `
        const { ManagedProcess } = await import(${JSON.stringify(moduleUrl)});
        const child = new ManagedProcess({ name: 'orphan', command: process.execPath,
          args: ['-e', 'setInterval(() => {}, 1000)'], logFile: ${JSON.stringify(dir.file(`orphan-${ending}.log`))} });
        await child.start();
        console.log(child.pid);
        ${ending === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}
      `;
      const parent = spawn(process.execPath, ['--input-type=module', '-e', owner], { stdio: ['ignore', 'pipe', 'inherit'] });
      const childPid = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        parent.once('exit', () => reject(new Error('owner exited before printing the child pid')));
      });
      assert.ok(childPid > 0);
      if (ending === 'SIGTERM') {
        assert.equal(isDead(childPid), false);
        parent.kill('SIGTERM');
      }
      await pollUntil(
        () => {
          if (!isDead(childPid)) throw new Error(`pid ${childPid} still alive`);
        },
        { description: 'orphaned child to die', timeoutMs: 5_000, intervalMs: 20 },
      );
    });
  }
});
