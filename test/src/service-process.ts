import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort, pollUntil } from '@catga/testing';

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a Node script as its own OS process and waits until its output matches `ready`.
 * `launcher` prefixes the command (e.g. `ip netns exec <ns>`); it must exec node, so the pid is node's.
 */
export async function startNodeProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  name: string,
  port = 0,
  launcher: readonly string[] = [],
): Promise<ServiceProcess> {
  const [command = process.execPath, ...args] = [...launcher, process.execPath, script];
  const child = spawn(command, args, {
    env: { ...process.env, ...env, CATGA_INSTANCE_ID: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  await pollUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
      if (!ready.test(output)) throw new Error('not ready yet');
    },
    { description: `${name} ready`, timeoutMs: 30_000, intervalMs: 50 },
  );
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `apps/<app>/dist/main.js` and waits until it listens on its HTTP port. */
export async function startService(
  app: string,
  env: Record<string, string>,
  instanceId = `${app}-${Math.random().toString(36).slice(2, 6)}`,
): Promise<ServiceProcess> {
  const port = await freePort();
  const main = fileURLToPath(new URL(`../../apps/${app}/dist/main.js`, import.meta.url));
  return startNodeProcess(main, { ...env, PORT: String(port), HOST: '127.0.0.1' }, /listening on/, instanceId, port);
}
