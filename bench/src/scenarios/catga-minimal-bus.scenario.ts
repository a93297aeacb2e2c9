import { CommandBus } from '@nestjs/cqrs';
import { Add } from './add.command.js';
import type { BenchTarget } from './bench-target.js';
import { bootCatgaApp } from './catga-app.js';

/** Catga with its pipeline at the minimum, called through the @nestjs/cqrs CommandBus it routes. */
export async function bootCatgaMinimalBus(): Promise<BenchTarget> {
  const app = await bootCatgaApp({ pipeline: 'minimal' });
  const bus = app.get(CommandBus);
  return { op: (i) => bus.execute(new Add(i, 1)), close: () => app.close() };
}
