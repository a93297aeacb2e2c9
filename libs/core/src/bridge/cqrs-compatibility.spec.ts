import { cqrsCompatibilityConformance } from '../conformance/cqrs-compatibility.conformance.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';

cqrsCompatibilityConformance('in-memory, one application with no transport configured', async () => ({
  oneApplication: true,
  options: (serviceName) => ({ serviceName }),
  dispose: async () => {},
}));

cqrsCompatibilityConformance('in-memory, two applications on one broker', async () => {
  const broker = new InMemoryBroker();
  return {
    options: (serviceName) => ({ serviceName, transport: () => new InMemoryTransport({ broker }) }),
    dispose: async () => {},
  };
});
