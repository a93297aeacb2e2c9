import type { SagaBudget } from './saga-budget.js';

/** The budget as printed after the sagas table: CPU by process, Redis commands by name and caller, NATS traffic. */
export function formatSagaBudget(budget: SagaBudget, replicas: number, warmup: number): string {
  const { cpu, redis, natsPerSaga: nats } = budget;
  const ticks = cpu.clockTicks;
  const tickSource = ticks.source === 'assumed' ? 'assumed, neither os.constants nor getconf had CLK_TCK' : `from ${ticks.source}`;
  const cpuTable = table(
    ['process', 'pid', 'CPU ms', 'ms/saga'],
    [
      ...cpu.processes.map((p) => [p.name, String(p.pid), p.ms.toFixed(0), p.msPerSaga.toFixed(3)]),
      ['total', '', cpu.processes.reduce((sum, p) => sum + p.ms, 0).toFixed(0), cpu.totalMsPerSaga.toFixed(3)],
    ],
  );
  const { byCaller } = redis;
  const names = [
    ...new Set([
      ...Object.keys(redis.commandsPerSaga),
      ...Object.keys(byCaller.fromClientsPerSaga),
      ...Object.keys(byCaller.fromScriptsPerSaga),
    ]),
  ];
  const cell = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(3));
  const redisTable = table(
    ['command', 'per saga', 'sent by clients', 'called in scripts'],
    [
      ...names.map((name) => [
        name,
        cell(redis.commandsPerSaga[name]),
        cell(byCaller.fromClientsPerSaga[name]),
        cell(byCaller.fromScriptsPerSaga[name]),
      ]),
      ['total', cell(redis.totalCommandsPerSaga), cell(byCaller.clientCallsPerSaga), cell(byCaller.scriptCommandsPerSaga)],
    ],
  );
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  return [
    `\nPer-saga budget, ${replicas} replica${replicas === 1 ? '' : 's'}: the ${budget.sagas} timed sagas after the ${warmup} warm-up ones, ` +
      `${budget.seconds.toFixed(2)} s; each figure is over the timed part divided by its sagas, so periodic work (polling, ` +
      `leases, health checks) in that time is in it.`,
    `\nCPU per saga by process (user + system, all threads): this process from process.cpuUsage(), the others from ` +
      `/proc/<pid>/stat utime + stime at ${ticks.perSecond} clock ticks/s (${tickSource}), so to ${1000 / ticks.perSecond} ms.`,
    cpuTable,
    `sagas/s the total CPU allows on ${cpu.cores} cores (${cpu.cores} x 1000 / ${cpu.totalMsPerSaga.toFixed(3)} ms): ${cpu.sagasPerSecondOnCores.toFixed(0)}`,
    `\nRedis commands per saga: "per saga" is INFO commandstats over the timed part, every command Redis ran (EVAL and ` +
      `EVALSHA once each, and each command a script called once more; the budget's own INFO left out). The split by caller ` +
      `is a MONITOR tally over ${byCaller.sagas} more sagas right after the timed part (MONITOR costs Redis CPU, so not during it).`,
    redisTable,
    `Redis client calls per saga (MONITOR): ${byCaller.clientCallsPerSaga.toFixed(2)} = ${byCaller.scriptRunsPerSaga.toFixed(2)} ` +
      `EVAL/EVALSHA + ${byCaller.otherClientCallsPerSaga.toFixed(2)} other commands, each a request and its reply (commands a ` +
      `client sends together may share a round trip); over the timed part EVAL+EVALSHA were ${redis.scriptRunsPerSaga.toFixed(2)} per saga.`,
    `\nNATS per saga (nats-server /varz over the timed part; in = received from connections, out = delivered to them): ` +
      `${nats.inMsgs.toFixed(2)} messages in, ${nats.outMsgs.toFixed(2)} out, ${kb(nats.inBytes)} in, ${kb(nats.outBytes)} out.`,
  ].join('\n');
}

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
