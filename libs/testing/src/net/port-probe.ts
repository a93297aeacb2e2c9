import { connect } from 'node:net';
import { LOOPBACK_HOST } from './host-port.js';

/** True if a TCP connection to host:port is accepted within `timeoutMs`. */
export function isPortOpen(port: number, host: string = LOOPBACK_HOST, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const finish = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
