/** A fault inflicted on the first `victims` of three replicas under load. */
export interface Fault {
  readonly id: 'kill-one' | 'kill-two' | 'freeze';
  readonly label: string;
  readonly victims: number;
  /** SIGKILL, or SIGSTOP for `freezeMs` then SIGCONT. */
  readonly kind: 'kill' | 'freeze';
  readonly freezeMs?: number;
}

export const FREEZE_MS = 5_000;

export const FAULTS: readonly Fault[] = [
  { id: 'kill-one', label: 'SIGKILL 1 of 3', victims: 1, kind: 'kill' },
  { id: 'kill-two', label: 'SIGKILL 2 of 3 at once', victims: 2, kind: 'kill' },
  { id: 'freeze', label: `SIGSTOP 1 of 3 for ${FREEZE_MS / 1000} s`, victims: 1, kind: 'freeze', freezeMs: FREEZE_MS },
];
