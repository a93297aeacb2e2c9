import { EventEmitter, once } from 'node:events';
import { connect } from 'node:net';
import type { RedisServerHandle } from '@catga/testing';
import type { CommandCalls } from './redis-command-stats.js';

/** Commands by who ran them: sent by a client connection, or called by a Lua script that a client's EVAL/EVALSHA ran. */
export interface CommandCallers {
  readonly fromClients: CommandCalls;
  readonly fromScripts: CommandCalls;
}

const END_MARKER = 'catga-bench-tally-end';
/** `+<unix time> [<db> <source>] "<command>" ...`: the source is the client's address, or `lua` inside a script. */
const LINE = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/;

/**
 * Counts every command Redis runs while `run` runs, by name and by caller, over a MONITOR
 * connection. MONITOR makes Redis format every command for it, so the CPU of what is tallied this
 * way is not representative: tally apart from what is timed.
 */
export async function tallyCommandCallers(redis: RedisServerHandle, run: () => Promise<void>): Promise<CommandCallers> {
  const fromClients: Record<string, number> = {};
  const fromScripts: Record<string, number> = {};
  const socket = connect(redis.port, redis.host);
  socket.setEncoding('utf8');
  const failed = once(socket, 'error').then(([error]: unknown[]) => {
    throw error instanceof Error ? error : new Error(String(error));
  });
  // Nobody waits on it once the tally is done.
  failed.catch(() => undefined);
  const lines = new EventEmitter<{ line: [string] }>();
  // Resolves on `+OK` (monitoring), then on the end marker's ECHO: the socket's lines in order.
  const lineSeen = (wanted: (line: string) => boolean) =>
    Promise.race([
      new Promise<void>((resolve) => {
        const onLine = (line: string) => {
          if (!wanted(line)) return;
          lines.off('line', onLine);
          resolve();
        };
        lines.on('line', onLine);
      }),
      failed,
    ]);
  let pending = '';
  socket.on('data', (chunk: string) => {
    const split = (pending + chunk).split('\r\n');
    pending = split.pop() ?? '';
    for (const line of split) {
      lines.emit('line', line);
      const match = LINE.exec(line);
      if (!match || line.includes(`"${END_MARKER}"`)) continue;
      const counts = match[1] === 'lua' ? fromScripts : fromClients;
      const name = (match[2] ?? '').toLowerCase();
      counts[name] = (counts[name] ?? 0) + 1;
    }
  });
  try {
    await Promise.race([once(socket, 'connect'), failed]);
    const monitoring = lineSeen((line) => line === '+OK');
    socket.write('MONITOR\r\n');
    await monitoring;
    await run();
    // MONITOR lines trail the commands: an ECHO sent after the run, once seen here, closes the tally.
    const ended = lineSeen((line) => LINE.test(line) && line.includes(`"${END_MARKER}"`));
    await redis.command(['ECHO', END_MARKER]);
    await ended;
    return { fromClients, fromScripts };
  } finally {
    socket.removeAllListeners('data');
    socket.on('error', () => undefined);
    socket.destroy();
  }
}
