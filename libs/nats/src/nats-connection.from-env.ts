import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator } from '@nats-io/transport-node';
import type { NatsTransportOptions } from './nats-transport-options.interface.js';

type ConnectionSettings = NonNullable<NatsTransportOptions['connection']>;

/** Every variable that sets how the module's NATS connection authenticates and encrypts. */
export const NATS_CONNECTION_ENV = [
  'CATGA_NATS_USER',
  'CATGA_NATS_PASSWORD',
  'CATGA_NATS_TOKEN',
  'CATGA_NATS_CREDS',
  'CATGA_NATS_NKEY_SEED',
  'CATGA_NATS_TLS_CA',
  'CATGA_NATS_TLS_CERT',
  'CATGA_NATS_TLS_KEY',
] as const;

/**
 * Credentials and TLS for the connection `CatgaModule` opens from `CATGA_NATS_URL` (nats.js v3
 * ignores credentials written into a URL): user and password, a token, a creds file (JWT and
 * seed), an nkey seed, and CA, client certificate and key files. Unset variables add nothing.
 */
export function natsConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const options: ConnectionSettings = {};
  if (env.CATGA_NATS_USER) {
    options.user = env.CATGA_NATS_USER;
    if (env.CATGA_NATS_PASSWORD !== undefined) options.pass = env.CATGA_NATS_PASSWORD;
  } else if (env.CATGA_NATS_PASSWORD) {
    throw new Error('CATGA_NATS_PASSWORD is set without CATGA_NATS_USER');
  }
  if (env.CATGA_NATS_TOKEN) options.token = env.CATGA_NATS_TOKEN;
  if (env.CATGA_NATS_CREDS && env.CATGA_NATS_NKEY_SEED) throw new Error('Set CATGA_NATS_CREDS or CATGA_NATS_NKEY_SEED, not both');
  if (env.CATGA_NATS_CREDS) options.authenticator = credsAuthenticator(readFileSync(env.CATGA_NATS_CREDS));
  if (env.CATGA_NATS_NKEY_SEED) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(env.CATGA_NATS_NKEY_SEED));
  const caFile = env.CATGA_NATS_TLS_CA;
  const certFile = env.CATGA_NATS_TLS_CERT;
  const keyFile = env.CATGA_NATS_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('CATGA_NATS_TLS_CERT and CATGA_NATS_TLS_KEY go together');
  if (caFile || certFile) options.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile, keyFile } : {}) };
  return options;
}
