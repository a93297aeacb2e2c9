import { CatgaMediator } from '@catga/core';
import { Add } from './add.command.js';
import type { BenchTarget } from './bench-target.js';
import { bootCatgaApp } from './catga-app.js';

/**
 * Catga with every built-in behavior on (logging, validation, timeout, in-memory idempotency,
 * circuit breaker, retry). Each send gets a new message id, so idempotency stores one record per op.
 */
export async function bootCatgaDefaultSend(): Promise<BenchTarget> {
  const app = await bootCatgaApp({});
  const mediator = app.get(CatgaMediator);
  return { op: (i) => mediator.send(new Add(i, 1)), close: () => app.close() };
}
