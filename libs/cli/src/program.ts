import { errorCodeOf, serializeError } from '@catga/core';
import { Command, CommanderError } from 'commander';
import { clusterCommand } from './commands/cluster.js';
import { deadLetterCommands } from './commands/dead-letters.js';
import { messageCommands } from './commands/messages.js';
import { sagaCommands } from './commands/sagas.js';
import { ExitCode } from './exit-codes.js';
import { consoleOutput, json, type Output } from './render.js';
import { openSession, UnavailableError, UsageError, type ConnectionFlags, type Session } from './session.js';

interface GlobalFlags extends ConnectionFlags {
  json?: boolean;
}

/** Runs one command's work in a session; what it returns (or throws) becomes the exit code. */
export type CommandRunner = (command: Command, work: (session: Session, out: Output) => Promise<ExitCode | void>) => Promise<void>;

const NOT_FOUND = new Set(['DEAD_LETTER_NOT_FOUND', 'SAGA_NOT_FOUND', 'HANDLER_NOT_FOUND']);
const UNAVAILABLE = new Set(['TRANSPORT_UNAVAILABLE', 'STORE_UNAVAILABLE', 'NOT_SUPPORTED', 'TIMEOUT']);
const REFUSED = new Set(['SAGA_STATE_CONFLICT']);
const USAGE = new Set(['VALIDATION_FAILED', 'MALFORMED_MESSAGE']);

/** The exit code an error means. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof UnavailableError) return ExitCode.unavailable;
  const code = errorCodeOf(error);
  if (NOT_FOUND.has(code)) return ExitCode.notFound;
  if (UNAVAILABLE.has(code)) return ExitCode.unavailable;
  if (REFUSED.has(code)) return ExitCode.refused;
  if (USAGE.has(code)) return ExitCode.usage;
  return ExitCode.failed;
}

const run: CommandRunner = async (command, work) => {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const out = consoleOutput(flags.json === true);
  let session: Session | undefined;
  try {
    session = await openSession(flags);
    process.exitCode = (await work(session, out)) ?? ExitCode.ok;
  } catch (error) {
    process.exitCode = exitCodeOf(error);
    if (out.json) out.write(json({ ok: false, error: serializeError(error) }));
    else
      out.error(
        `catga: ${error instanceof UsageError || error instanceof UnavailableError ? '' : `${errorCodeOf(error)}: `}${(error as Error)?.message ?? String(error)}`,
      );
  } finally {
    await session?.close().catch(() => undefined);
  }
};

/** The `catga` program: every command, with `--help` on each. */
export function catgaProgram(): Command {
  const program = new Command('catga')
    .description('Look at and fix a running Catga system: dead letters, sagas, the cluster, and messages from the terminal')
    .option('--nats <servers>', 'NATS servers (default: CATGA_NATS_URL)')
    .option('--redis <url>', 'Redis (default: CATGA_REDIS_URL)')
    .option('--transport <kind>', 'nats or redis-streams (default: nats when a NATS URL is set)')
    .option('--subject-prefix <prefix>', "the services' NATS subject prefix (default: catga)")
    .option('--redis-prefix <prefix>', "the services' Redis key prefix (default: CATGA_REDIS_PREFIX, else catga)")
    .option('--json', 'print JSON for scripts instead of tables')
    .option('--verbose', 'log what Catga does while the command runs')
    .showHelpAfterError()
    .exitOverride();
  deadLetterCommands(program, run);
  sagaCommands(program, run);
  clusterCommand(program, run);
  messageCommands(program, run);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Parses `argv` and runs the command; resolves with the exit code. */
export async function runCatga(argv: readonly string[]): Promise<number> {
  try {
    await catgaProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are answers, not errors.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  return Number(process.exitCode ?? ExitCode.ok);
}
