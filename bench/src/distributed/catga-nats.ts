import type { TransportFactory } from '@catga/core';
import { natsTransport } from '@catga/nats';

/** Every Catga process of the benchmark: the bench's own nats-server, subjects under `bench`. */
export function benchNatsTransport(url: string): TransportFactory {
  return natsTransport({ servers: url, subjectPrefix: 'bench' });
}
