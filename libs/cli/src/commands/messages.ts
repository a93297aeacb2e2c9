import type { Command } from 'commander';
import { parseDuration } from '../duration.js';
import { json } from '../render.js';
import type { CommandRunner } from '../program.js';
import { UsageError } from '../session.js';

function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`The body is not JSON: ${(error as Error).message}`);
  }
}

/** `catga send` and `catga publish`: a message from the terminal through the real envelope and path. */
export function messageCommands(program: Command, run: CommandRunner): void {
  program
    .command('send <type> [json]')
    .description('a command or query to whichever service serves it; prints the result, or the typed error')
    .option('--timeout <duration>', 'how long to wait for the answer (default: 10s)')
    .option('--message-id <id>', 'the message id (a repeat with the same id is answered from its recorded outcome)')
    .action((type: string, body: string | undefined, flags: { timeout?: string; messageId?: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
        if (flags.timeout !== undefined && timeoutMs === undefined)
          throw new UsageError(`--timeout ${flags.timeout}: a duration such as 10s`);
        const result = await operations.send(type, bodyOf(body ?? '{}'), { timeoutMs, messageId: flags.messageId });
        out.write(out.json ? json({ ok: true, result }) : json(result ?? null));
      }),
    );

  program
    .command('publish <type> [json]')
    .description('an event, durably, to every handler group of its type')
    .option('--message-id <id>', 'the message id (a repeat within the duplicate window is dropped)')
    .action((type: string, body: string | undefined, flags: { messageId?: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        await operations.publish(type, bodyOf(body ?? '{}'), { messageId: flags.messageId });
        out.write(out.json ? json({ ok: true, published: type }) : `published ${type}`);
      }),
    );
}
