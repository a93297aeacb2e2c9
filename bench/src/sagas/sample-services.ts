import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort, pollUntil } from '@catga/testing';

export interface RunningService {
  /** The app under apps/, e.g. `order-service`. */
  readonly app: string;
  /** CATGA_INSTANCE_ID of this process, e.g. `order-service-1`. */
  readonly instanceId: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a sample service (`apps/<app>/dist/main.js`) as its own process and waits until it listens. */
export async function startSampleService(app: string, env: Record<string, string>, instanceId = `${app}-bench`): Promise<RunningService> {
  const main = fileURLToPath(new URL(`../../../apps/${app}/dist/main.js`, import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', CATGA_SERVICE_NAME: app, CATGA_INSTANCE_ID: instanceId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  running.add(child);
  child.once('exit', () => running.delete(child));
  await pollUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited:\n${output}`);
      if (!/listening on/.test(output)) throw new Error('not yet');
    },
    { description: `${app} listening`, timeoutMs: 30_000, intervalMs: 50 },
  );
  return {
    app,
    instanceId,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
