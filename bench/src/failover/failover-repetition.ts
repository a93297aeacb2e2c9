import { setTimeout as delay } from 'node:timers/promises';
import type { CatgaMediator } from '@catga/core';
import { pollUntil } from '@catga/testing';
import type { Redis } from 'ioredis';
import { effectsKey } from './apply-effect.command.js';
import { inFlightAt, startEffectLoad, type SentCommand } from './effect-load.js';
import type { Fault } from './failover-faults.js';
import type { FailoverMode } from './failover-modes.js';
import { startReplica, type ReplicaProcess } from './replica-process.js';

export const REPLICAS = 3;
export const IN_FLIGHT = 24;
export const WORK_MS = 150;
/** Commands each replica answers before the fault, so every one is serving steadily. */
const SERVED_BEFORE_FAULT = 10;
/**
 * The commands whose latency is the client's: those sent from 1 s before the fault to 2 s after
 * it, the same span in both modes (the load itself runs until the recovery, which differs).
 */
export const CLIENT_WINDOW = { beforeMs: 1_000, afterMs: 2_000 } as const;
/** Far beyond either mode's recovery: a repetition still waiting then is reported as not recovered. */
const RECOVERY_DEADLINE_MS = 60_000;
/** The most failures of each kind a repetition lists; the counts are whole. */
const LISTED = 5;

export interface RepetitionSetup {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Where the effects are counted. */
  readonly redis: Redis;
  /** The caller, configured for `mode`. */
  readonly mediator: CatgaMediator;
  readonly mode: FailoverMode;
  readonly fault: Fault;
  /** Unique per repetition: message ids, Redis keys and replica names start with it. */
  readonly prefix: string;
}

export interface RepetitionResult {
  readonly prefix: string;
  /** Commands sent and not yet answered when the fault struck. */
  readonly inFlightAtFault: number;
  /** From the fault to the last of those answered, ms; null when they were not all answered within 60 s. */
  readonly recoveryMs: number | null;
  readonly commands: number;
  /** Send to answer of the commands sent in `CLIENT_WINDOW`, ms. */
  readonly latenciesMs: readonly number[];
  /** Send to answer of every command of the repetition, ms. */
  readonly allLatenciesMs: readonly number[];
  /** Callers that got an error (count, and the first few). */
  readonly errors: number;
  readonly errorSamples: readonly string[];
  /** Commands whose effect did not land exactly once (count, and the first few). */
  readonly notOnce: number;
  readonly notOnceSamples: readonly string[];
  /** What else went wrong: a resumed replica that served nothing again, one that did not stop when asked. */
  readonly problems: readonly string[];
  readonly ok: boolean;
  /** When not ok: the tail of each replica's output, by name. */
  readonly replicaOutput?: Readonly<Record<string, string>>;
}

/**
 * Three fresh replicas under `IN_FLIGHT` commands; once each has served some, the fault; then the
 * wait until every command in flight at the fault is answered (and, after a freeze, until the
 * resumed replica serves again); then the load stops, the replicas stop gracefully, and each
 * command's effect count is read back.
 */
export async function runRepetition(setup: RepetitionSetup): Promise<RepetitionResult> {
  const { mode, fault, prefix } = setup;
  const env = { CATGA_NATS_URL: setup.natsUrl, CATGA_REDIS_URL: setup.redisUrl, FAILOVER_PREFIX: prefix, ...mode.replicaEnv };
  const replicas = await Promise.all(Array.from({ length: REPLICAS }, (_, i) => startReplica(`${prefix}-r${i}`, env)));
  const problems: string[] = [];
  let sent: readonly SentCommand[] = [];
  let atFault: SentCommand[] = [];
  let recoveryMs: number | null = null;
  let faultAt = Number.NaN;
  try {
    for (const r of replicas) {
      if (r.settings !== mode.replicaSettings)
        throw new Error(`${r.name} runs with ${r.settings}, not the ${mode.label} mode's ${mode.replicaSettings}`);
    }
    const load = startEffectLoad(setup.mediator, prefix, IN_FLIGHT, WORK_MS);
    const loadStartedAt = performance.now();
    sent = load.sent;
    try {
      await pollUntil(
        () => {
          const served = replicas.map((r) => load.sent.filter((c) => c.by === r.name).length);
          if (Math.min(...served) < SERVED_BEFORE_FAULT) throw new Error(`served ${served.join(', ')}`);
          if (performance.now() - loadStartedAt < CLIENT_WINDOW.beforeMs) throw new Error('not loaded long enough');
        },
        { description: `each replica serving ${SERVED_BEFORE_FAULT} commands`, timeoutMs: 30_000, intervalMs: 20 },
      );
      const victims = replicas.slice(0, fault.victims);
      faultAt = performance.now();
      for (const v of victims) v.signal(fault.kind === 'kill' ? 'SIGKILL' : 'SIGSTOP');
      atFault = inFlightAt(load.sent, faultAt);
      // The freeze lasts its full time whatever the recovery takes: that is the fault, not a wait for it.
      const thawed =
        fault.kind === 'freeze'
          ? delay(fault.freezeMs!).then(() => {
              for (const v of victims) v.signal('SIGCONT');
              return performance.now();
            })
          : undefined;
      recoveryMs = await recovered(atFault, faultAt);
      if (recoveryMs === null)
        problems.push(`${atFault.filter((c) => c.finishedAt === undefined).length} in flight at the fault unanswered after 60 s`);
      if (thawed) {
        const resumedAt = await thawed;
        await pollUntil(
          () => {
            if (!load.sent.some((c) => c.startedAt > resumedAt && victims.some((v) => c.by === v.name))) throw new Error('not yet');
          },
          { description: 'the resumed replica serving again', timeoutMs: 20_000, intervalMs: 20 },
        ).catch(() => problems.push('the resumed replica served nothing within 20 s'));
      }
    } finally {
      await load.stop();
    }
  } finally {
    await stopAll(replicas, problems);
  }
  const effects = await setup.redis.hgetall(effectsKey(prefix));
  const failed = sent.filter((c) => c.error !== undefined);
  const wrong = sent.filter((c) => Number(effects[c.id] ?? 0) !== 1);
  const ok = recoveryMs !== null && failed.length === 0 && wrong.length === 0 && problems.length === 0;
  return {
    prefix,
    inFlightAtFault: atFault.length,
    recoveryMs,
    commands: sent.length,
    latenciesMs: sent
      .filter((c) => c.startedAt >= faultAt - CLIENT_WINDOW.beforeMs && c.startedAt <= faultAt + CLIENT_WINDOW.afterMs)
      .map((c) => c.finishedAt! - c.startedAt),
    allLatenciesMs: sent.map((c) => c.finishedAt! - c.startedAt),
    errors: failed.length,
    errorSamples: failed.slice(0, LISTED).map((c) => `${c.id}: ${describeError(c.error)}`),
    notOnce: wrong.length,
    notOnceSamples: wrong.slice(0, LISTED).map((c) => `${c.id}: applied ${Number(effects[c.id] ?? 0)} times`),
    problems,
    ok,
    ...(ok ? {} : { replicaOutput: Object.fromEntries(replicas.map((r) => [r.name, r.output().slice(-2_000)])) }),
  };
}

/** Waits until every command in `atFault` is answered; the time from the fault to the last answer, or null after the deadline. */
async function recovered(atFault: readonly SentCommand[], faultAt: number): Promise<number | null> {
  try {
    await pollUntil(
      () => {
        const pending = atFault.filter((c) => c.finishedAt === undefined).length;
        if (pending > 0) throw new Error(`${pending} still unanswered`);
      },
      { description: 'the commands in flight at the fault answered', timeoutMs: RECOVERY_DEADLINE_MS, intervalMs: 10 },
    );
  } catch {
    return null;
  }
  return Math.max(0, ...atFault.map((c) => c.finishedAt! - faultAt));
}

/** Stops every replica gracefully, so nothing one still held is left unwritten when the effects are read. */
async function stopAll(replicas: readonly ReplicaProcess[], problems: string[]): Promise<void> {
  const inTime = await Promise.all(replicas.map((r) => r.stop()));
  inTime.forEach((ok, i) => {
    if (!ok) problems.push(`${replicas[i]!.name} did not stop within 10 s of SIGTERM`);
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}`;
  }
  return String(error);
}
