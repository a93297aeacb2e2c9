import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Mode } from './mode.js';
import { RESULT_MARKER, type WorkerResult } from './worker-result.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Runs one scenario and mode in a fresh Node process. Isolation matters: Catga's
 * AsyncLocalStorage installs promise hooks that would slow every later scenario in the process.
 */
export function runWorker(scenario: string, mode: Mode, quick: boolean): Promise<WorkerResult> {
  const args = ['--expose-gc', WORKER, scenario, mode, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      let result: WorkerResult | undefined;
      for (const line of stdout.split('\n')) {
        if (line.startsWith(RESULT_MARKER)) result = JSON.parse(line.slice(RESULT_MARKER.length)) as WorkerResult;
        else if (line.trim()) process.stderr.write(`[${scenario} ${mode}] ${line}\n`);
      }
      if (code === 0 && result) resolve(result);
      else reject(new Error(`worker ${scenario} ${mode} exited with ${String(code)} and ${result ? 'a' : 'no'} result`));
    });
  });
}
