import { AsyncLocalStorage } from 'node:async_hooks';
import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Add, AddHandler } from './add.command.js';
import { createBenchApp } from './bench-app.js';
import type { BenchTarget } from './bench-target.js';

/**
 * Plain @nestjs/cqrs in a process where an AsyncLocalStorage is active, as in any Nest app using
 * nestjs-pino or OpenTelemetry: on Node 20 that installs promise hooks every promise then pays.
 * Not a Catga number; it shows how much of Catga's gap is that hook cost.
 */
export async function bootRawCqrsWithAsyncContext(): Promise<BenchTarget> {
  @Module({ imports: [CqrsModule.forRoot()], providers: [AddHandler] })
  class RawCqrsModule {}
  const app = await createBenchApp(RawCqrsModule);
  const bus = app.get(CommandBus);
  const storage = new AsyncLocalStorage<{ requestId: number }>();
  return { op: (i) => storage.run({ requestId: i }, () => bus.execute(new Add(i, 1))), close: () => app.close() };
}
