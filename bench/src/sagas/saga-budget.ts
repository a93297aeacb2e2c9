import { natsTraffic, natsTrafficBetween, type NatsTraffic } from './nats-traffic.js';
import { driveOrders, timeOrders, type OrderLoadSummary, type TimedPartHooks } from './order-load.js';
import type { OrderSystem } from './order-system.js';
import { clockTicks, ownCpuMs, processCpuMs, type ClockTicks } from './process-cpu.js';
import { tallyCommandCallers, type CommandCallers } from './redis-caller-tally.js';
import { commandCalls, commandCallsBetween, type CommandCalls } from './redis-command-stats.js';

export interface ProcessCpu {
  readonly name: string;
  readonly pid: number;
  /** CPU time over the timed part, user plus system. */
  readonly ms: number;
  readonly msPerSaga: number;
}

/** What one saga costs, measured over the timed part of a run (after its warm-up), each figure per saga. */
export interface SagaBudget {
  readonly sagas: number;
  /** Wall time between the snapshots around the timed part. */
  readonly seconds: number;
  readonly cpu: {
    /** This process from process.cpuUsage(); the others from /proc/<pid>/stat utime + stime, in clock ticks of 1000 / perSecond ms. */
    readonly clockTicks: ClockTicks;
    readonly processes: readonly ProcessCpu[];
    readonly totalMsPerSaga: number;
    readonly cores: number;
    /** cores x 1000 / totalMsPerSaga: the rate at which the processes together would use every core. */
    readonly sagasPerSecondOnCores: number;
  };
  readonly redis: {
    /**
     * INFO commandstats over the timed part, most first: every command Redis ran, so EVAL and EVALSHA
     * once each and every command a script called once more (the budget's own INFO left out).
     */
    readonly commandsPerSaga: Readonly<Record<string, number>>;
    readonly totalCommandsPerSaga: number;
    /** EVAL + EVALSHA over the timed part: client calls that each ran a script (a script cannot call either). */
    readonly scriptRunsPerSaga: number;
    /** The same commands by caller, from a MONITOR tally over `sagas` more sagas right after the timed part. */
    readonly byCaller: {
      readonly sagas: number;
      /** Commands the clients sent, each a request with a reply: EVAL and EVALSHA included. */
      readonly fromClientsPerSaga: Readonly<Record<string, number>>;
      /** Commands scripts called, inside the EVAL/EVALSHA that ran them: no round trip of their own. */
      readonly fromScriptsPerSaga: Readonly<Record<string, number>>;
      readonly clientCallsPerSaga: number;
      readonly scriptRunsPerSaga: number;
      /** Client calls that are not EVAL/EVALSHA. */
      readonly otherClientCallsPerSaga: number;
      readonly scriptCommandsPerSaga: number;
    };
  };
  /** nats-server's /varz counters over the timed part. */
  readonly natsPerSaga: NatsTraffic;
}

interface CpuSource {
  readonly name: string;
  readonly pid: number;
  readonly read: () => number;
}

interface Snapshot {
  readonly at: number;
  readonly cpuMs: readonly number[];
  readonly redis: CommandCalls;
  readonly nats: NatsTraffic;
}

/** Snapshots CPU of every process, Redis's commandstats and NATS's counters before and after the timed part. */
class BudgetMeter implements TimedPartHooks {
  readonly ticks = clockTicks();
  private readonly sources: readonly CpuSource[];
  private before: Snapshot | undefined;
  private after: Snapshot | undefined;

  constructor(private readonly system: OrderSystem) {
    const pidOf = (name: string, pid: number | undefined) => {
      if (pid === undefined) throw new Error(`${name} has no pid: not running`);
      return pid;
    };
    const unique = (app: string) => system.services.filter((s) => s.app === app).length === 1;
    this.sources = [
      { name: 'bench (client, this process)', pid: process.pid, read: ownCpuMs },
      ...[...system.services]
        .sort((a, b) => Number(b.app === 'order-service') - Number(a.app === 'order-service'))
        .map((s) => {
          const pid = pidOf(s.instanceId, s.child.pid);
          return { name: unique(s.app) ? s.app : s.instanceId, pid, read: () => processCpuMs(pid, this.ticks) };
        }),
      ...[
        { name: 'nats-server', pid: pidOf('nats-server', system.nats.process.pid) },
        { name: 'redis-server', pid: pidOf('redis-server', system.redis.process.pid) },
      ].map(({ name, pid }) => ({ name, pid, read: () => processCpuMs(pid, this.ticks) })),
    ];
  }

  async beforeTimed(): Promise<void> {
    const [redis, nats] = await Promise.all([commandCalls(this.system.redis), natsTraffic(this.system.nats.monitor)]);
    // This process's own reading last and first (afterTimed), so the snapshots' work stays outside it.
    const cpuMs = this.sources.map((s) => s.read());
    this.before = { at: performance.now(), cpuMs, redis, nats };
  }

  async afterTimed(): Promise<void> {
    const at = performance.now();
    const cpuMs = this.sources.map((s) => s.read());
    const [redis, nats] = await Promise.all([commandCalls(this.system.redis), natsTraffic(this.system.nats.monitor)]);
    this.after = { at, cpuMs, redis, nats };
  }

  budget(sagas: number, cores: number, callers: CommandCallers, callerSagas: number): SagaBudget {
    const { before, after } = this;
    if (!before || !after) throw new Error('the budget was not measured: the timed part did not run');
    const processes = this.sources.map((s, i) => {
      const ms = after.cpuMs[i]! - before.cpuMs[i]!;
      return { name: s.name, pid: s.pid, ms, msPerSaga: ms / sagas };
    });
    const totalMsPerSaga = processes.reduce((sum, p) => sum + p.msPerSaga, 0);
    const commands = commandCallsBetween(before.redis, after.redis);
    const fromClients = perSaga(callers.fromClients, callerSagas);
    const fromScripts = perSaga(callers.fromScripts, callerSagas);
    const traffic = natsTrafficBetween(before.nats, after.nats);
    return {
      sagas,
      seconds: (after.at - before.at) / 1000,
      cpu: { clockTicks: this.ticks, processes, totalMsPerSaga, cores, sagasPerSecondOnCores: (cores * 1000) / totalMsPerSaga },
      redis: {
        commandsPerSaga: perSaga(commands, sagas),
        totalCommandsPerSaga: total(commands) / sagas,
        scriptRunsPerSaga: scriptRuns(commands) / sagas,
        byCaller: {
          sagas: callerSagas,
          fromClientsPerSaga: fromClients,
          fromScriptsPerSaga: fromScripts,
          clientCallsPerSaga: total(fromClients),
          scriptRunsPerSaga: scriptRuns(fromClients),
          otherClientCallsPerSaga: total(fromClients) - scriptRuns(fromClients),
          scriptCommandsPerSaga: total(fromScripts),
        },
      },
      natsPerSaga: {
        inMsgs: traffic.inMsgs / sagas,
        outMsgs: traffic.outMsgs / sagas,
        inBytes: traffic.inBytes / sagas,
        outBytes: traffic.outBytes / sagas,
      },
    };
  }
}

/** Calls over `sagas`, most first. */
function perSaga(calls: CommandCalls, sagas: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(calls)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([name, n]) => [name, n / sagas]),
  );
}

function total(calls: CommandCalls): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

function scriptRuns(calls: CommandCalls): number {
  return (calls['eval'] ?? 0) + (calls['evalsha'] ?? 0);
}

export interface SagaBudgetCounts {
  readonly warmup: number;
  readonly orders: number;
  /** Sagas placed after the timed part with a MONITOR tally on, to split Redis's commands by caller. */
  readonly callerSample: number;
}

/**
 * timeOrders with the per-saga budget measured over its timed part, then `callerSample` more
 * sagas under a MONITOR tally (which costs Redis CPU, so it runs apart from what is timed).
 */
export async function timeOrdersWithBudget(
  system: OrderSystem,
  counts: SagaBudgetCounts,
  inFlight: number,
  cores: number,
): Promise<{ readonly load: OrderLoadSummary; readonly budget: SagaBudget }> {
  const meter = new BudgetMeter(system);
  const load = await timeOrders(system.mediator, counts.warmup, counts.orders, inFlight, meter);
  const callers = await tallyCommandCallers(system.redis, async () => {
    await driveOrders(system.mediator, counts.callerSample, inFlight);
  });
  return { load, budget: meter.budget(load.orders, cores, callers, counts.callerSample) };
}
