import { createInterface } from 'node:readline/promises';
import type { DeadLetterSelection, RedriveResult } from '@catga/core';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { json, short, table, when } from '../render.js';
import type { CommandRunner } from '../program.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../session.js';

interface SelectionFlags {
  type?: string;
  group?: string;
  since?: string;
  all?: boolean;
  limit?: string;
}

function sinceOf(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = parseDuration(since);
  if (ms === undefined) throw new UsageError(`--since ${since}: a duration such as 30m, 1h or 7d`);
  return Date.now() - ms;
}

function limitOf(limit: string | undefined): number | undefined {
  if (limit === undefined) return undefined;
  const n = Number(limit);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--limit ${limit}: a positive whole number`);
  return n;
}

function selectionOf(ids: string[], flags: SelectionFlags): DeadLetterSelection {
  if (ids.length === 0 && !flags.all && flags.type === undefined && flags.group === undefined) {
    throw new UsageError('Name the dead letters: their ids, --type, --group, or --all');
  }
  return { ids, type: flags.type, group: flags.group, since: sinceOf(flags.since), all: flags.all, limit: limitOf(flags.limit) };
}

function selectionOptions(command: Command): Command {
  return command
    .option('--type <type>', 'only dead letters of this message type')
    .option('--group <group>', 'only those the handler group gave up')
    .option('--since <duration>', 'only those dead-lettered in the last 30m, 1h, 7d…')
    .option('--all', 'every dead letter (with --type/--group/--since: every one matching)')
    .option('--limit <n>', 'at most this many (default 10000)');
}

/** `catga dlq …`: list, show, redrive, purge. */
export function deadLetterCommands(program: Command, run: CommandRunner): void {
  const dlq = program.command('dlq').description('dead letters: events a handler group gave up on, with why');

  dlq
    .command('list')
    .description('a table of dead letters, oldest first')
    .option('--type <type>', 'only this message type')
    .option('--group <group>', 'only those this handler group gave up')
    .option('--since <duration>', 'only those dead-lettered in the last 30m, 1h, 7d…')
    .option('--limit <n>', 'at most this many (default 100)')
    .action((flags: SelectionFlags, command: Command) =>
      run(command, async ({ operations }, out) => {
        const items = await operations.deadLetters({
          type: flags.type,
          group: flags.group,
          since: sinceOf(flags.since),
          limit: limitOf(flags.limit),
        });
        if (out.json) return out.write(json(items));
        out.write(
          table(
            ['id', 'when', 'type', 'group', 'deliveries', 'error', 'message'],
            items.map((d) => [d.id, when(d.deadLetteredAt), d.type, d.group, d.deliveries, d.error.code, short(d.error.message)]),
          ),
        );
        out.write(`${items.length} dead letter(s)`);
      }),
    );

  dlq
    .command('show <id>')
    .description('one dead letter whole: headers, body, the full error')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async ({ operations }, out) => {
        const detail = await operations.deadLetter(id);
        if (out.json) return out.write(json(detail));
        out.write(
          table(
            ['', ''],
            [
              ['id', detail.id],
              ['type', detail.type],
              ['group', detail.group],
              ['message id', detail.messageId],
              ['correlation id', detail.correlationId],
              ['dead-lettered', when(detail.deadLetteredAt)],
              ['deliveries', detail.deliveries],
            ],
          ),
        );
        out.write(`\nerror:\n${json(detail.error)}`);
        out.write(`\nheaders:\n${json(detail.headers)}`);
        out.write(`\nbody:\n${json(detail.body)}`);
      }),
    );

  selectionOptions(dlq.command('redrive [ids...]'))
    .description('send dead letters back to the group that failed them, with their own message id; each is removed once handled')
    .option('--dry-run', 'show what would be sent back, send nothing')
    .option('--timeout <duration>', 'how long a group has to handle each one (default 10s)')
    .action((ids: string[], flags: SelectionFlags & { dryRun?: boolean; timeout?: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
        if (flags.timeout !== undefined && timeoutMs === undefined)
          throw new UsageError(`--timeout ${flags.timeout}: a duration such as 10s`);
        const bar =
          !out.json && process.stderr.isTTY
            ? new SingleBar({ format: 'redrive [{bar}] {value}/{total} {outcome}', stream: process.stderr })
            : undefined;
        let started = false;
        const results = await operations.redrive(selectionOf(ids, flags), {
          dryRun: flags.dryRun,
          timeoutMs,
          onProgress: (result, done, total) => {
            if (!bar) return;
            if (!started) bar.start(total, 0, { outcome: '' });
            started = true;
            bar.update(done, { outcome: `${result.outcome} ${result.id}` });
          },
        });
        bar?.stop();
        const failed = results.filter((r) => r.outcome === 'failed').length;
        if (out.json) out.write(json(results));
        else {
          out.write(redriveTable(results));
          const verb = flags.dryRun ? 'would be sent back' : 'redriven';
          out.write(`${results.length - failed} ${verb}, ${failed} failed`);
        }
        return failed > 0 ? ExitCode.failed : ExitCode.ok;
      }),
    );

  selectionOptions(dlq.command('purge [ids...]'))
    .description('remove dead letters for good')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((ids: string[], flags: SelectionFlags & { yes?: boolean }, command: Command) =>
      run(command, async ({ operations }, out) => {
        const selection = selectionOf(ids, flags);
        if (!flags.yes) {
          const what = ids.length > 0 ? `${ids.length} dead letter(s)` : 'every matching dead letter';
          if (!process.stdin.isTTY) {
            out.error(`Refusing to purge ${what} without confirmation: pass --yes`);
            return ExitCode.refused;
          }
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`Purge ${what}? This cannot be undone. [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            out.error('Nothing purged');
            return ExitCode.refused;
          }
        }
        const purged = await operations.purge(selection);
        out.write(out.json ? json({ purged }) : `${purged} dead letter(s) purged`);
        return ExitCode.ok;
      }),
    );
}

function redriveTable(results: readonly RedriveResult[]): string {
  return table(
    ['id', 'type', 'group', 'message id', 'outcome', 'why'],
    results.map((r) => [r.id, r.type, r.group, r.messageId, r.outcome, short(r.error ? `${r.error.code}: ${r.error.message}` : '')]),
  );
}
