/**
 * Synchronous last-resort cleanup when the test process ends, so a crashed or forgetful test does not
 * leave servers running or temp dirs behind. Processes are killed before their files are removed.
 */
export type ExitCleanupStage = 'processes' | 'files';

const stages: Record<ExitCleanupStage, Set<() => void>> = { processes: new Set(), files: new Set() };
let installed = false;

export function runOnExit(action: () => void, stage: ExitCleanupStage): () => void {
  install();
  stages[stage].add(action);
  return () => {
    stages[stage].delete(action);
  };
}

function runAll(): void {
  for (const stage of ['processes', 'files'] as const) {
    for (const action of stages[stage]) {
      try {
        action();
      } catch {
        // Best effort: one failing cleanup must not prevent the others.
      }
    }
    stages[stage].clear();
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  // 'exit' does not fire when a signal kills the process, which is how runners abort a hung test file.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runAll();
      // Keep the default "die by signal" behaviour unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
