import type { BusAccess } from './bus-access.js';
import { natsPermissions, type NatsPermissionsOptions } from './nats-permissions.js';

export interface NatsAccountsConfigOptions extends NatsPermissionsOptions {
  /** The account every service user belongs to. Default `CATGA`. */
  readonly account?: string;
  /**
   * The environment variable the server reads each user's password from (nats-server resolves
   * `$NAME` from its environment). Default `NATS_PASSWORD_<SERVICE>`, upper-cased, `-` as `_`.
   * The server parses the variable's value as a config value: a password must start with a
   * letter and hold only letters and digits, or it is read as a number or fails to parse.
   */
  readonly passwordVariable?: (serviceName: string) => string;
}

/**
 * The `accounts` block of a nats-server configuration: one account with JetStream, and in it one
 * user per service holding exactly the permissions `natsPermissions` derives from its access.
 * Passwords are references to the server's environment, never written into the file.
 */
export function natsAccountsConfig(services: Readonly<Record<string, BusAccess>>, options: NatsAccountsConfigOptions = {}): string {
  const variable = options.passwordVariable ?? defaultPasswordVariable;
  const users = Object.entries(services).map(([service, access]) => {
    const p = natsPermissions(service, access, options);
    return [
      '      {',
      `        user: ${quote(service)}`,
      `        password: $${variable(service)}`,
      '        permissions: {',
      `          publish: { allow: ${list(p.publish.allow, 12)} }`,
      `          subscribe: { allow: ${list(p.subscribe.allow, 12)} }`,
      `          allow_responses: { max: ${p.allow_responses.max} }`,
      '        }',
      '      }',
    ].join('\n');
  });
  return [
    'accounts {',
    `  ${options.account ?? 'CATGA'} {`,
    '    jetstream: enabled',
    '    users: [',
    users.join('\n'),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

function defaultPasswordVariable(serviceName: string): string {
  return `NATS_PASSWORD_${serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function list(values: readonly string[], indent: number): string {
  const pad = ' '.repeat(indent);
  return `[\n${values.map((v) => `${pad}${quote(v)}`).join('\n')}\n${' '.repeat(indent - 2)}]`;
}

function quote(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error(`Cannot write ${JSON.stringify(value)} into a NATS configuration`);
  return `"${value}"`;
}
