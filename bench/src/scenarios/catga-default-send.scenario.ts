import { CatgaMediator } from '@catga/core';
import { Add } from './add.command.js';
import type { BenchTarget } from './bench-target.js';
import { bootCatgaApp } from './catga-app.js';

/**
 * Catga with every built-in behavior on (logging, validation, timeout, in-memory idempotency,
 * circuit breaker, retry). Without `keyed`, each send makes its own id, which nothing else can
 * carry, so idempotency keeps no record; with it, each send passes a new `messageId` (as an HTTP
 * Idempotency-Key would), so the in-memory store claims and records one id per op.
 */
export async function bootCatgaDefaultSend(keyed = false): Promise<BenchTarget> {
  const app = await bootCatgaApp({});
  const mediator = app.get(CatgaMediator);
  // A counter of its own: the op index starts again each round, and a repeated id would be a replay.
  let sent = 0;
  return {
    op: keyed ? (i) => mediator.send(new Add(i, 1), { messageId: `key-${++sent}` }) : (i) => mediator.send(new Add(i, 1)),
    close: () => app.close(),
  };
}
