import type { ClusterSnapshot } from '@catga/core';
import type { Command } from 'commander';
import { parseDuration } from '../duration.js';
import { json, table, when } from '../render.js';
import type { CommandRunner } from '../program.js';
import { UsageError } from '../session.js';

function render(snapshot: ClusterSnapshot): string {
  const members = snapshot.members.filter((m) => !m.self);
  const rows = members.map((m) => [
    m.service,
    m.instance,
    m.status,
    m.inFlight,
    m.handled,
    m.failed,
    m.sagasActive,
    `${m.transport}${m.connected ? '' : ' (disconnected)'}`,
    when(m.lastSeen),
  ]);
  const sagas = Object.entries(snapshot.sagas)
    .map(([status, n]) => `${status} ${n}`)
    .join(' · ');
  return [
    `cluster at ${when(snapshot.at)}: ${members.length} instance(s)`,
    table(['service', 'instance', 'status', 'in flight', 'handled', 'failed', 'sagas', 'transport', 'last seen'], rows),
    `sagas: ${sagas}`,
  ].join('\n');
}

/** `catga cluster [--watch]`: the instances the dashboard shows. */
export function clusterCommand(program: Command, run: CommandRunner): void {
  program
    .command('cluster')
    .description('the instances of the system, their state and load, as the dashboard shows them')
    .option('--watch', 'redraw until interrupted')
    .option('--interval <duration>', 'between redraws with --watch', '2s')
    .option('--listen <duration>', 'how long to listen for the instances before the first answer (a heartbeat and a half)', '3s')
    .action((flags: { watch?: boolean; interval: string; listen: string }, command: Command) =>
      run(command, async ({ operations }, out) => {
        const listen = parseDuration(flags.listen);
        const interval = parseDuration(flags.interval);
        if (listen === undefined || interval === undefined || interval <= 0)
          throw new UsageError('--listen and --interval take durations such as 2s');
        await new Promise((r) => setTimeout(r, listen));
        if (!flags.watch) {
          const snapshot = await operations.cluster();
          return out.write(out.json ? json(snapshot) : render(snapshot));
        }
        let stop = false;
        const interrupted = new Promise<void>((resolve) =>
          process.once('SIGINT', () => {
            stop = true;
            resolve();
          }),
        );
        while (!stop) {
          const snapshot = await operations.cluster();
          out.write(out.json ? JSON.stringify(snapshot) : `\x1b[2J\x1b[H${render(snapshot)}\n(ctrl-c to stop)`);
          await Promise.race([interrupted, new Promise((r) => setTimeout(r, interval))]);
        }
      }),
    );
}
