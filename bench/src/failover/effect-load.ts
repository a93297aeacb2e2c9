import type { CatgaMediator } from '@catga/core';
import { ApplyEffect } from './apply-effect.command.js';

/** One command of the load: when it was sent and answered (performance.now() ms), by whom, or its error. */
export interface SentCommand {
  readonly id: string;
  readonly startedAt: number;
  finishedAt?: number;
  by?: string;
  error?: unknown;
}

export interface EffectLoad {
  /** Every command sent so far, in order of sending. */
  readonly sent: readonly SentCommand[];
  /** Stops sending and resolves once every command sent has its answer. */
  stop(): Promise<void>;
}

/** Keeps `inFlight` ApplyEffect commands of `workMs` going, each with its own message id under `prefix`, until stopped. */
export function startEffectLoad(mediator: CatgaMediator, prefix: string, inFlight: number, workMs: number): EffectLoad {
  const sent: SentCommand[] = [];
  let running = true;
  let n = 0;
  const sender = async () => {
    while (running) {
      const command: SentCommand = { id: `${prefix}-${n}`, startedAt: performance.now() };
      sent.push(command);
      n++;
      try {
        command.by = (await mediator.send(new ApplyEffect(n, workMs), { messageId: command.id })).by;
      } catch (error) {
        command.error = error;
      }
      command.finishedAt = performance.now();
    }
  };
  const senders = Promise.all(Array.from({ length: inFlight }, sender));
  return {
    sent,
    async stop() {
      running = false;
      await senders;
    },
  };
}

/** The commands sent by `at` and not yet answered at `at`. */
export function inFlightAt(sent: readonly SentCommand[], at: number): SentCommand[] {
  return sent.filter((c) => c.startedAt <= at && (c.finishedAt === undefined || c.finishedAt > at));
}
