import { cqrsCompatibilityConformance, uniqueSuffix } from '@catga/core/conformance';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from './nats.transport.js';

// The shared NATS server of the machine; CATGA_TEST_NATS_URL points elsewhere.
const servers = process.env.CATGA_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

cqrsCompatibilityConformance('NATS, two applications', async () => {
  const suffix = uniqueSuffix();
  const prefix = `cqrscompat${suffix}`;
  const stream = `CQRSCOMPAT_${suffix.toUpperCase()}`;
  return {
    options: (serviceName) => ({
      serviceName,
      transport: () =>
        new NatsTransport({
          servers,
          subjectPrefix: prefix,
          stream: { name: stream, storage: 'memory' },
          consumer: { maxDeliveries: 3, redeliveryDelayMs: 20 },
        }),
    }),
    dispose: async () => {
      const nc = await connect({ servers });
      try {
        const jsm = await jetstreamManager(nc);
        for (const name of [stream, `${prefix.toUpperCase()}_DLQ`]) await jsm.streams.delete(name).catch(() => undefined);
      } finally {
        await nc.close();
      }
    },
  };
});
