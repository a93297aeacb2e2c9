export { NatsTransport } from './nats.transport.js';
export type { NatsConsumerOptions, NatsStreamOptions, NatsTransportOptions } from './nats-transport-options.interface.js';
export {
  NATS_DEFAULTS,
  resolveNatsSettings,
  type NatsConsumerSettings,
  type NatsSettings,
  type NatsStreamSettings,
} from './nats-settings.js';
export { natsTransport, natsTransportFromEnv } from './nats-transport.from-env.js';
export { NATS_CONNECTION_ENV, natsConnectionFromEnv } from './nats-connection.from-env.js';
export { Subjects } from './subjects.js';
export { serviceInboxPrefix } from './connection/inbox-prefix.js';
export type { BusAccess } from './permissions/bus-access.js';
export { natsPermissions, type NatsPermissions, type NatsPermissionsOptions } from './permissions/nats-permissions.js';
export { natsAccountsConfig, type NatsAccountsConfigOptions } from './permissions/nats-accounts.config.js';
export { fromNatsHeaders, toNatsHeaders } from './wire/nats-headers.js';
