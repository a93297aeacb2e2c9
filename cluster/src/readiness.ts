import { pollWhileRunning, type ManagedProcess } from '@catga/testing';

export const READY_PATH = '/health/ready';

/** Polls `GET <url>/health/ready` until it answers 200; gives up at once if the process dies. */
export async function waitUntilReady(url: string, process: ManagedProcess, timeoutMs: number): Promise<void> {
  await pollWhileRunning(
    async () => {
      const response = await fetch(`${url}${READY_PATH}`, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${READY_PATH} answered ${response.status}: ${body.slice(0, 300)}`);
    },
    {
      description: `${process.name} ready at ${url}${READY_PATH}`,
      timeoutMs,
      intervalMs: 200,
      watched: [process],
      logLines: 20,
    },
  );
}
