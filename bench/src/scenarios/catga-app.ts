import { Module, type INestApplicationContext } from '@nestjs/common';
import { CatgaModule, type CatgaModuleOptions } from '@catga/core';
import { AddHandler } from './add.command.js';
import { stampAddMessageType } from './add.message-type.js';
import { createBenchApp } from './bench-app.js';

/** Boots an application with Catga and the Add handler. */
export async function bootCatgaApp(options: CatgaModuleOptions): Promise<INestApplicationContext> {
  stampAddMessageType();
  @Module({ imports: [CatgaModule.forRoot(options)], providers: [AddHandler] })
  class CatgaBenchModule {}
  return createBenchApp(CatgaBenchModule);
}
