export { NatsTransport } from './nats.transport.js';
export type { NatsConsumerOptions, NatsStreamOptions, NatsTransportOptions } from './nats-transport-options.interface.js';
export { natsTransport, natsTransportFromEnv } from './nats-transport.from-env.js';
export { Subjects } from './subjects.js';
