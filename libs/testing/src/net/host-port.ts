/** Every server started by this package listens on loopback only, never on shared interfaces. */
export const LOOPBACK_HOST = '127.0.0.1';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function sameHostPort(a: HostPort, b: HostPort): boolean {
  return a.host === b.host && a.port === b.port;
}
