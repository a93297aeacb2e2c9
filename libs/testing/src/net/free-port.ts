import { createServer, type Server } from 'node:net';
import { LOOPBACK_HOST } from './host-port.js';

// Ports are picked below Linux's ephemeral range (32768-60999 by default): a server that is
// killed and restarted on its port (a NATS node, a Redis primary) must find it still free, and
// an ephemeral port can be taken in between by any outgoing connection or listen(0).
const LOWEST = 15_000;
const HIGHEST = 32_767;

/** A loopback port that was free a moment ago, outside the ephemeral range; nothing holds it afterwards. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/** `count` distinct free loopback ports. All listeners stay open until every port is known, so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`freePorts: invalid count ${count}`);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const server = createServer();
      const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
      if (ports.includes(port) || !(await listenOn(server, port))) continue;
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** Listens on `port`; false when it is taken. */
function listenOn(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host: LOOPBACK_HOST, exclusive: true }, () => resolve(true));
  });
}
