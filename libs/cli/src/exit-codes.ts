/** What `catga` exits with (docs/operations.md, The command line). */
export const ExitCode = {
  ok: 0,
  /** The operation ran and something in it failed: a redrive that failed again, an error reply. */
  failed: 1,
  /** The command line was wrong: an unknown command or option, a value that does not parse. */
  usage: 2,
  /** What was named does not exist: a dead letter, a saga. */
  notFound: 3,
  /** NATS or Redis could not be reached, or the transport cannot do it. */
  unavailable: 4,
  /** The operation does not apply to the state it found (a saga that cannot be retried), or was not confirmed. */
  refused: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
