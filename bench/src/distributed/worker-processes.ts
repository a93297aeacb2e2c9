import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type ClientRun, DISTRIBUTED_RESULT_MARKER, SERVER_READY_MARKER } from './distributed-result.js';

const SERVER_WORKER = fileURLToPath(new URL('./server-worker.js', import.meta.url));
const CLIENT_WORKER = fileURLToPath(new URL('./client-worker.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

const live = new Set<ChildProcess>();
let killOnExitInstalled = false;

export interface ServerWorker {
  readonly pid: number;
  /** SIGTERM (the server closes gracefully), SIGKILL if it is still running after 10 s. */
  stop(): Promise<void>;
}

/** Starts a server worker and resolves once it reports that it serves. */
export function startServerWorker(scenario: string, url: string): Promise<ServerWorker> {
  const child = spawnWorker(SERVER_WORKER, [scenario, url]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${scenario} was not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === SERVER_READY_MARKER) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, stop: () => stopChild(child) });
      } else if (line.trim()) {
        process.stderr.write(`[${scenario} server] ${line}\n`);
      }
    });
    child.once('exit', (code, signal) => {
      // After a resolve this rejection is a no-op; before it, the server died while booting.
      clearTimeout(timer);
      reject(new Error(`server ${scenario} exited with ${String(code ?? signal)} before it was ready`));
    });
  });
}

/** Runs a client worker to completion and returns the rows it reports. */
export function runClientWorker(scenario: string, url: string, inFlight: number, quick: boolean): Promise<ClientRun> {
  const child = spawnWorker(CLIENT_WORKER, [scenario, url, String(inFlight), ...(quick ? ['--quick'] : [])]);
  return new Promise((resolve, reject) => {
    let run: ClientRun | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith(DISTRIBUTED_RESULT_MARKER)) {
        run = JSON.parse(line.slice(DISTRIBUTED_RESULT_MARKER.length)) as ClientRun;
      } else if (line.trim()) {
        process.stderr.write(`[${scenario} client ${inFlight}] ${line}\n`);
      }
    });
    child.once('close', (code) => {
      if (code === 0 && run) resolve(run);
      else reject(new Error(`client ${scenario} at ${inFlight} in flight exited with ${String(code)} and ${run ? 'a' : 'no'} result`));
    });
  });
}

function spawnWorker(script: string, args: readonly string[]): ChildProcess {
  if (!killOnExitInstalled) {
    killOnExitInstalled = true;
    process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }
  // stdin stays an open pipe: the worker exits when it closes (see exit-with-parent.ts).
  const child = spawn(process.execPath, ['--expose-gc', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.on('error', (error) => process.stderr.write(`worker ${script}: ${String(error)}\n`));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
