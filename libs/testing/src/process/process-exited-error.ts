import { describeExit, type ExitInfo } from './exit-info.js';

/** A managed process ended while something was still waiting for it to become usable. */
export class ProcessExitedError extends Error {
  override readonly name = 'ProcessExitedError';

  constructor(
    readonly processName: string,
    readonly exit: ExitInfo,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${processName} ${describeExit(exit)} unexpectedly; last log lines (${logFile}):\n${logTail}`);
  }
}
