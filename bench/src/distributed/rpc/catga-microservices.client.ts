import { Module } from '@nestjs/common';
import { ClientsModule, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { CatgaModule } from '@catga/core';
import { CatgaClientProxy, CatgaMicroservicesModule } from '@catga/microservices';
import { createBenchApp } from '../../scenarios/bench-app.js';
import { benchNatsTransport } from '../catga-nats.js';
import { ADD_SUBJECT, REQUEST_TIMEOUT_MS, type AddRequest } from './add-request.js';
import type { RemoteAdd } from './remote-add.js';

/** `ClientProxy.send`, as the @nestjs/microservices row calls it, through a `CatgaClientProxy` registered with `ClientsModule`. */
export async function connectCatgaMicroservicesClient(url: string): Promise<RemoteAdd> {
  @Module({
    imports: [
      CatgaModule.forRoot({ serviceName: 'bench-ms-client', transport: benchNatsTransport(url), pipeline: 'minimal' }),
      CatgaMicroservicesModule,
      ClientsModule.register([{ name: 'ADD', customClass: CatgaClientProxy, options: { timeoutMs: REQUEST_TIMEOUT_MS } }]),
    ],
  })
  class CatgaAddClientModule {}
  const app = await createBenchApp(CatgaAddClientModule);
  const client = app.get<ClientProxy>('ADD');
  return { add: (a, b) => firstValueFrom(client.send<number, AddRequest>(ADD_SUBJECT, { a, b })), close: () => app.close() };
}
