import { transportConformance, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { NatsTransport } from './nats.transport.js';

let server: NatsServerHandle | undefined;

transportConformance(
  'nats',
  async () => {
    server = await startNatsServer();
    const prefix = `conf${uniqueSuffix()}`;
    return {
      createPeer: async () =>
        new NatsTransport({
          servers: server!.url,
          subjectPrefix: prefix,
          attemptTimeoutMs: 1_000,
          noRespondersTimeoutMs: 300,
          consumer: { redeliveryDelayMs: 20, ackWaitMs: 5_000 },
        }),
      dispose: async () => {
        await server?.stop();
      },
    };
  },
  { deliveryTimeoutMs: 10_000, countsRefusedDelivery: true },
);
