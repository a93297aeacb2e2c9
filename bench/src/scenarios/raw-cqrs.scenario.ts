import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Add, AddHandler } from './add.command.js';
import { createBenchApp } from './bench-app.js';
import type { BenchTarget } from './bench-target.js';

/** The baseline: plain @nestjs/cqrs, no Catga anywhere in the process. */
export async function bootRawCqrs(): Promise<BenchTarget> {
  @Module({ imports: [CqrsModule.forRoot()], providers: [AddHandler] })
  class RawCqrsModule {}
  const app = await createBenchApp(RawCqrsModule);
  const bus = app.get(CommandBus);
  return { op: (i) => bus.execute(new Add(i, 1)), close: () => app.close() };
}
