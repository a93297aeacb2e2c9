import { transportConformance } from '../conformance/transport.conformance.js';
import { InMemoryBroker } from './in-memory.broker.js';
import { InMemoryTransport } from './in-memory.transport.js';

transportConformance('in-memory', async () => {
  const broker = new InMemoryBroker();
  return {
    createPeer: async () => new InMemoryTransport({ broker, redeliveryDelayMs: 10 }),
    dispose: async () => undefined,
  };
});
