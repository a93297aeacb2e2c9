import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** A terminal may deliver one Ctrl-C twice (to npm and to us); only a later one means "now". */
const FORCE_AFTER_MS = 2_000;

export interface StopSignals {
  /**
   * Removes every other listener of these signals. @catga/testing installs one that SIGKILLs its
   * servers at once; the runner wants them stopped after the services instead. Its exit hook
   * still kills whatever is left when the runner exits.
   */
  takeOver(): void;
}

/** On SIGINT, SIGTERM or SIGHUP runs `stop` once, then exits; a second signal later exits at once. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): StopSignals {
  let firstAt: number | undefined;
  const exitCode = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 0);
  const handler = (signal: NodeJS.Signals): void => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt >= FORCE_AFTER_MS) process.exit(exitCode(signal));
      return;
    }
    firstAt = Date.now();
    stop(signal).then(
      () => process.exit(exitCode(signal)),
      (error: unknown) => {
        console.error(error);
        process.exit(exitCode(signal));
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    takeOver() {
      for (const signal of SIGNALS) {
        for (const listener of process.listeners(signal)) if (listener !== handler) process.off(signal, listener);
      }
    },
  };
}
