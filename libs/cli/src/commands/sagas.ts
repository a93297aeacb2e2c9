import type { SagaState, SagaStatus } from '@catga/core';
import type { Command } from 'commander';
import { json, short, table, when } from '../render.js';
import type { CommandRunner } from '../program.js';
import { UsageError } from '../session.js';

const STATUSES: readonly SagaStatus[] = ['Pending', 'Running', 'Compensating', 'Completed', 'Compensated', 'Failed'];

function sagaSummary(state: SagaState): string {
  return table(
    ['', ''],
    [
      ['saga', `${state.sagaName} ${state.sagaId}`],
      ['status', state.status],
      ['version', state.version],
      ['owner', state.lease ? `${state.lease.owner} (lease until ${when(state.lease.expiresAt)})` : '(none)'],
      ['created', when(state.createdAt)],
      ['updated', when(state.updatedAt)],
      ['error', state.error ? `${state.error.code}: ${state.error.message}` : ''],
    ],
  );
}

function stepsTable(state: SagaState): string {
  return table(
    ['step', 'status', 'attempts', 'message id', 'started', 'finished', 'result / error'],
    state.steps.map((s) => [
      s.name,
      s.status + (s.compensationRound ? ` (round ${s.compensationRound})` : ''),
      s.attempts,
      s.messageId ?? '',
      when(s.startedAt),
      when(s.finishedAt),
      short(s.error ? `${s.error.code}: ${s.error.message}` : s.result === undefined ? '' : JSON.stringify(s.result), 50),
    ]),
  );
}

/** `catga sagas` and `catga saga show|retry|abort`. */
export function sagaCommands(program: Command, run: CommandRunner): void {
  program
    .command('sagas')
    .description('sagas, most recently updated first')
    .option('--status <status>', `only this status: ${STATUSES.join(', ')}`)
    .option('--name <name>', 'only sagas of this name')
    .option('--limit <n>', 'at most this many (default 100)')
    .action((flags: { status?: string; name?: string; limit?: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        if (flags.status !== undefined && !STATUSES.includes(flags.status as SagaStatus)) {
          throw new UsageError(`--status ${flags.status}: one of ${STATUSES.join(', ')}`);
        }
        const limit = flags.limit === undefined ? undefined : Number(flags.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
          throw new UsageError(`--limit ${flags.limit}: a positive whole number`);
        const items = await operations.sagas({ status: flags.status as SagaStatus | undefined, sagaName: flags.name, limit });
        if (out.json) return out.write(json(items));
        out.write(
          table(
            ['id', 'name', 'status', 'step', 'owner', 'updated', 'error'],
            items.map((s) => {
              const step = s.steps.find((p) => p.status !== 'Completed' && p.status !== 'Pending') ?? s.steps.at(-1);
              return [
                s.sagaId,
                s.sagaName,
                s.status,
                step ? `${step.name} ${step.status}` : '',
                s.lease?.owner ?? '',
                when(s.updatedAt),
                short(s.error?.message, 40),
              ];
            }),
          ),
        );
        out.write(`${items.length} saga(s)`);
      }),
    );

  const saga = program.command('saga').description('one saga: show, retry, abort');

  saga
    .command('show <id>')
    .description('its steps with their results and errors, owner and lease')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async ({ operations }, out) => {
        const state = await operations.saga(id);
        if (out.json) return out.write(json(state));
        out.write(sagaSummary(state));
        out.write(stepsTable(state));
      }),
    );

  saga
    .command('retry <id>')
    .description('send a Failed saga back to compensate what failed to compensate; it ends Compensated, or Failed again')
    .action((id: string, _flags: unknown, command: Command) =>
      run(command, async ({ operations }, out) => {
        const state = await operations.retrySaga(id);
        if (out.json) return out.write(json(state));
        out.write(
          `Saga ${id} is ${state.status}${state.lease ? '' : ': the service that defines it resumes it at its next recovery pass'}`,
        );
        out.write(stepsTable(state));
      }),
    );

  saga
    .command('abort <id>')
    .description('stop a saga that has not ended and compensate what it did')
    .option('--reason <text>', 'recorded as the saga error', 'aborted by an operator')
    .action((id: string, flags: { reason: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        const state = await operations.abortSaga(id, flags.reason);
        if (out.json) return out.write(json(state));
        out.write(
          `Saga ${id} is ${state.status}${state.lease ? '' : ': the service that defines it compensates it at its next recovery pass'}`,
        );
        out.write(stepsTable(state));
      }),
    );
}
