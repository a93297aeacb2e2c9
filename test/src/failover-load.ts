// The load, the measurements and the exactly-once check shared by the failover and partition tests.
import assert from 'node:assert/strict';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { natsTransport } from '@catga/nats';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { pollUntil } from '@catga/testing';
import type { Command } from '@nestjs/cqrs';
import type { Redis } from 'ioredis';
import { ApplyEffect, EFFECTS_KEY } from './fixtures/effect.contracts.js';
import type { ServiceProcess } from './service-process.js';

const IN_FLIGHT = 24;
/** The pretend work of each ApplyEffect of the load, in ms. */
export const WORK_MS = 150;

export interface Timed {
  readonly id: string;
  readonly startedAt: number;
  finishedAt?: number;
  by?: string;
  /** What a command answering with a status (a saga's) answered. */
  status?: string;
  error?: unknown;
}

/** A command the effect-service handles, answering which replica ran it. */
export type EffectCommand = Command<{ by: string; status?: string }>;

/** Keeps `inFlight` commands going until `stop()` (`make(n)`, ApplyEffect by default); each one's start and end is recorded. */
export function load(
  mediator: CatgaMediator,
  prefix: string,
  make: (n: number) => EffectCommand = (n) => new ApplyEffect(n, WORK_MS),
  inFlight = IN_FLIGHT,
) {
  const sent: Timed[] = [];
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const t: Timed = { id: `${prefix}-${n}`, startedAt: Date.now() };
      sent.push(t);
      n++;
      try {
        const answer = await mediator.send(make(n), { messageId: t.id });
        t.by = answer.by;
        t.status = answer.status;
      } catch (error) {
        t.error = error;
      }
      t.finishedAt = Date.now();
    }
  };
  const workers = Promise.all(Array.from({ length: inFlight }, worker));
  return {
    sent,
    async stop() {
      running = false;
      await workers;
    },
  };
}

/** How long after `faultAt` the commands in flight at that moment finished, sorted. */
export function recoveries(sent: readonly Timed[], faultAt: number): number[] {
  return sent
    .filter((t) => t.startedAt <= faultAt && (t.finishedAt ?? Infinity) > faultAt)
    .map((t) => t.finishedAt! - faultAt)
    .sort((a, b) => a - b);
}

export function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface LoadTarget {
  readonly mediator: CatgaMediator;
  readonly redis: Redis;
  readonly replicas: readonly ServiceProcess[];
  /** How long the work in flight at the fault may take to finish. */
  readonly settleTimeoutMs: number;
  /** Commands kept in flight. Default 24. */
  readonly inFlight?: number;
  /** What must hold before the fault besides every replica having handled some; throws while it does not. */
  readonly beforeFault?: (sent: readonly Timed[]) => void;
}

export interface FaultRun {
  readonly sent: readonly Timed[];
  readonly faultAt: number;
  /** Held-write effect count per message id. */
  readonly effects: ReadonlyMap<string, number>;
  readonly recovered: number[];
}

/** Runs the load, applies `fault` once every replica has handled some, and returns what happened. */
export async function underLoad(
  target: LoadTarget,
  prefix: string,
  fault: () => Promise<void>,
  afterFault?: (sent: readonly Timed[]) => Promise<void>,
  make?: (n: number) => EffectCommand,
): Promise<FaultRun> {
  const run = load(target.mediator, prefix, make, target.inFlight);
  let faultAt: number;
  try {
    faultAt = await applyFault(target, run.sent, fault, afterFault);
  } finally {
    // Also on a failure: no caller keeps sending into the teardown.
    await run.stop();
  }
  const effects = new Map(Object.entries(await target.redis.hgetall(EFFECTS_KEY(prefix))).map(([k, v]) => [k, Number(v)]));
  return { sent: run.sent, faultAt, effects, recovered: recoveries(run.sent, faultAt) };
}

async function applyFault(
  target: LoadTarget,
  sent: readonly Timed[],
  fault: () => Promise<void>,
  afterFault?: (sent: readonly Timed[]) => Promise<void>,
): Promise<number> {
  await pollUntil(
    async () => {
      const by = new Set(sent.map((t) => t.by).filter(Boolean));
      if (by.size < target.replicas.length) throw new Error(`handled by ${by.size} of ${target.replicas.length} so far`);
      target.beforeFault?.(sent);
    },
    { description: 'every replica handling', timeoutMs: 30_000, intervalMs: 50 },
  );
  const faultAt = Date.now();
  await fault();
  await pollUntil(
    async () => {
      const pending = sent.filter((t) => t.startedAt <= faultAt && t.finishedAt === undefined).length;
      if (pending > 0) throw new Error(`${pending} in flight at the fault still running`);
    },
    { description: 'the work in flight at the fault finished', timeoutMs: target.settleTimeoutMs, intervalMs: 20 },
  );
  await afterFault?.(sent);
  return faultAt;
}

export function assertExactlyOnce(sent: readonly Timed[], effects: ReadonlyMap<string, number>): void {
  assert.deepEqual(
    sent.filter((t) => t.error).map((t) => String(t.error)),
    [],
    'every caller got its result',
  );
  const wrong = sent.filter((t) => effects.get(t.id) !== 1).map((t) => `${t.id}: ${effects.get(t.id) ?? 0}`);
  assert.deepEqual(wrong, [], 'each command applied exactly once');
}

export function reportRecoveries(label: string, recovered: readonly number[]): void {
  console.log(
    `${label}: ${recovered.length} in flight at the fault; recovered in p50 ${pct(recovered, 50)} ms, ` +
      `p99 ${pct(recovered, 99)} ms, max ${recovered.at(-1)} ms`,
  );
}

/** A calling application on NATS whose attempt lasts `slowMs`: a fast recovery is then never its timeout. */
export async function startNatsCaller(serviceName: string, natsUrl: string, slowMs: number): Promise<INestApplicationContext> {
  @Module({
    imports: [
      CatgaModule.forRoot({
        serviceName,
        transport: natsTransport({ servers: natsUrl, attemptTimeoutMs: slowMs }),
        requestTimeoutMs: slowMs * 2,
      }),
    ],
  })
  class CallerModule {}
  const caller = await NestFactory.createApplicationContext(CallerModule, { logger: ['error'] });
  await caller.init();
  return caller;
}
