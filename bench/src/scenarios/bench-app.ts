import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** Boots a standalone Nest context; only warnings and errors are printed, never a line per message. */
export async function createBenchApp(rootModule: Type): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(rootModule, { logger: ['error', 'warn'] });
  await app.init();
  return app;
}
