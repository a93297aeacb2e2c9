import { Module, type INestApplicationContext } from '@nestjs/common';
import { CatgaModule, MessageType, type CatgaModuleOptions } from '@catga/core';
import { Add, AddHandler } from './add.command.js';
import { createBenchApp } from './bench-app.js';

let stamped = false;

/** Boots an application with Catga and the Add handler. */
export async function bootCatgaApp(options: CatgaModuleOptions): Promise<INestApplicationContext> {
  if (!stamped) {
    // Applied here rather than on the class so the raw @nestjs/cqrs worker does not load Catga.
    MessageType('bench.add')(Add);
    stamped = true;
  }
  @Module({ imports: [CatgaModule.forRoot(options)], providers: [AddHandler] })
  class CatgaBenchModule {}
  return createBenchApp(CatgaBenchModule);
}
