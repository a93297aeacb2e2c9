import { pollUntil, type PollOptions } from '../wait/poll-until.js';
import type { ManagedProcess } from './managed-process.js';

export interface PollWhileRunningOptions extends Pick<PollOptions, 'description' | 'timeoutMs' | 'intervalMs'> {
  /** Waiting stops with ProcessExitedError as soon as one of these has ended. */
  readonly watched: readonly ManagedProcess[];
  /** Whose log tails a timeout shows. Default: the watched processes. */
  readonly logsOf?: readonly ManagedProcess[];
  /** Lines of each log tail. Default 40 for a single log, 15 each for several. */
  readonly logLines?: number;
}

/** `pollUntil` on behalf of running processes: fails fast when one dies, and times out with their log tails. */
export function pollWhileRunning<T>(probe: () => Promise<T> | T, options: PollWhileRunningOptions): Promise<T> {
  const { watched } = options;
  const logged = options.logsOf ?? watched;
  return pollUntil(probe, {
    description: options.description,
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs,
    abortIf: watched.length > 0 ? () => watched.forEach((process) => process.assertRunning()) : undefined,
    diagnostics: logged.length > 0 ? () => logReport(logged, options.logLines) : undefined,
  });
}

function logReport(logged: readonly ManagedProcess[], lines: number | undefined): string {
  const [only] = logged;
  if (only !== undefined && logged.length === 1) return `last log lines (${only.logFile}):\n${only.logTail(lines ?? 40)}`;
  return logged.map((process) => `--- ${process.name} (${process.logFile}):\n${process.logTail(lines ?? 15)}`).join('\n');
}
