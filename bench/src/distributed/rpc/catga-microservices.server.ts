import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CatgaModule } from '@catga/core';
import { CatgaMicroservicesModule, CatgaServer } from '@catga/microservices';
import type { RunningServer } from '../running-server.js';
import { benchNatsTransport } from '../catga-nats.js';
import { AddController } from './add.controller.js';

/** The @nestjs/microservices row's own `@MessagePattern` controller, served by the Catga strategy (default pipeline). */
export async function startCatgaMicroservicesServer(url: string): Promise<RunningServer> {
  @Module({
    imports: [CatgaModule.forRoot({ serviceName: 'bench-ms-server', transport: benchNatsTransport(url) }), CatgaMicroservicesModule],
    controllers: [AddController],
  })
  class CatgaAddMicroserviceModule {}
  const app = await NestFactory.createMicroservice(CatgaAddMicroserviceModule, { strategy: new CatgaServer(), logger: ['error', 'warn'] });
  await app.listen();
  return { close: () => app.close() };
}
