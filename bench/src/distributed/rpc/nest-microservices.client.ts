import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { ADD_SUBJECT, type AddRequest } from './add-request.js';
import type { RemoteAdd } from './remote-add.js';

/** Stock `ClientProxy.send` over NATS. */
export async function connectNestMicroservicesClient(url: string): Promise<RemoteAdd> {
  // Outside an application nothing else sets the levels, and the client logs its own close.
  Logger.overrideLogger(['error', 'warn']);
  const client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [url] } });
  await client.connect();
  return {
    add: (a, b) => firstValueFrom(client.send<number, AddRequest>(ADD_SUBJECT, { a, b })),
    close: async () => {
      await client.close();
    },
  };
}
