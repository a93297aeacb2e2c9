import { Module } from '@nestjs/common';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { Add } from '../../scenarios/add.command.js';
import { stampAddMessageType } from '../../scenarios/add.message-type.js';
import { createBenchApp } from '../../scenarios/bench-app.js';
import type { RemoteAdd } from './remote-add.js';
import { benchNatsTransport } from '../catga-nats.js';

/** An application without the Add handler, so `send` goes over NATS to the server process. */
export async function connectCatgaClient(url: string): Promise<RemoteAdd> {
  stampAddMessageType();
  @Module({
    imports: [CatgaModule.forRoot({ serviceName: 'bench-client', transport: benchNatsTransport(url), pipeline: 'minimal' })],
  })
  class CatgaClientModule {}
  const app = await createBenchApp(CatgaClientModule);
  const mediator = app.get(CatgaMediator);
  return { add: (a, b) => mediator.send(new Add(a, b)), close: () => app.close() };
}
