import type { TransportContext } from '@catga/core';
import { serviceInboxPrefix } from './connection/inbox-prefix.js';
import { natsConnectionFromEnv } from './nats-connection.from-env.js';
import { NatsTransport } from './nats.transport.js';
import type { NatsTransportOptions } from './nats-transport-options.interface.js';

/**
 * The transport `CatgaModule` uses when `CATGA_NATS_URL` is set: servers from it, connection name
 * `<service>:<instance>`, stream replicas from `CATGA_NATS_STREAM_REPLICAS` (default 1), credentials
 * and TLS from the `CATGA_NATS_*` variables of `natsConnectionFromEnv`, replies under the service's
 * own inbox prefix (`serviceInboxPrefix`).
 */
export function natsTransportFromEnv(
  context: TransportContext,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<NatsTransportOptions> = {},
): NatsTransport {
  const servers = env.CATGA_NATS_URL;
  if (!servers) throw new Error('CATGA_NATS_URL is not set');
  const replicas = env.CATGA_NATS_STREAM_REPLICAS ? Number(env.CATGA_NATS_STREAM_REPLICAS) : undefined;
  return new NatsTransport({
    servers,
    name: `${context.serviceName}:${context.instanceId}`,
    ...overrides,
    connection: { inboxPrefix: serviceInboxPrefix(context.serviceName), ...natsConnectionFromEnv(env), ...overrides.connection },
    stream: { ...(replicas ? { replicas } : {}), ...overrides.stream },
  });
}

/**
 * A factory for `CatgaModule.forRoot({ transport: natsTransport({ servers }) })`; the connection is
 * named `<service>:<instance>` and its replies come under `serviceInboxPrefix(service)`.
 */
export function natsTransport(options: NatsTransportOptions): (context: TransportContext) => NatsTransport {
  return (context) =>
    new NatsTransport({
      name: `${context.serviceName}:${context.instanceId}`,
      ...options,
      connection: { inboxPrefix: serviceInboxPrefix(context.serviceName), ...options.connection },
    });
}
