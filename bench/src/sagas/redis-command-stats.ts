import type { RedisServerHandle } from '@catga/testing';

/** Calls by command name as Redis names them (lower case; a subcommand as `client|setname`). */
export type CommandCalls = Readonly<Record<string, number>>;

/**
 * The `calls` of every command in `INFO commandstats` so far. Redis counts a command each time it
 * runs, whoever runs it: EVAL and EVALSHA once each, and each command a script calls once more.
 */
export async function commandCalls(redis: RedisServerHandle): Promise<CommandCalls> {
  const calls: Record<string, number> = {};
  for (const [key, value] of Object.entries(await redis.info('commandstats'))) {
    const match = /^calls=(\d+)/.exec(value);
    if (key.startsWith('cmdstat_') && match) calls[key.slice('cmdstat_'.length)] = Number(match[1]);
  }
  return calls;
}

/**
 * What ran between two `commandCalls` snapshots, less the first snapshot's own INFO (Redis counts a
 * command after it has run, so the second snapshot counts the first INFO but not itself).
 */
export function commandCallsBetween(before: CommandCalls, after: CommandCalls): CommandCalls {
  const ran: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0) - (name === 'info' ? 1 : 0);
    if (delta > 0) ran[name] = delta;
  }
  return ran;
}
