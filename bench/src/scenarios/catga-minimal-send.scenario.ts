import { CatgaMediator } from '@catga/core';
import { Add } from './add.command.js';
import type { BenchTarget } from './bench-target.js';
import { bootCatgaApp } from './catga-app.js';

/** Catga with its pipeline at the minimum, called through the mediator. */
export async function bootCatgaMinimalSend(): Promise<BenchTarget> {
  const app = await bootCatgaApp({ pipeline: 'minimal' });
  const mediator = app.get(CatgaMediator);
  return { op: (i) => mediator.send(new Add(i, 1)), close: () => app.close() };
}
