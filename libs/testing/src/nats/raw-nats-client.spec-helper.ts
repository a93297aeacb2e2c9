import { connect, type Socket } from 'node:net';
import { LOOPBACK_HOST } from '../net/host-port.js';

// Just enough of the NATS text protocol for the specs of this package, which has no NATS client.

export interface NatsServerInfo {
  readonly server_name: string;
  readonly jetstream?: boolean;
  readonly [field: string]: unknown;
}

/** Connects and returns the INFO the server greets every client with. */
export async function readServerInfo(port: number): Promise<NatsServerInfo> {
  const socket = connect({ host: LOOPBACK_HOST, port });
  try {
    const line = await readUntil(socket, (text) => (text.includes('\r\n') ? text.slice(0, text.indexOf('\r\n')) : undefined));
    if (!line.startsWith('INFO ')) throw new Error(`expected INFO, got ${line}`);
    return JSON.parse(line.slice(5)) as NatsServerInfo;
  } finally {
    socket.destroy();
  }
}

/** Request/reply over a fresh connection; returns the reply payload. */
export async function natsRequest(port: number, subject: string, payload: string): Promise<string> {
  const socket = connect({ host: LOOPBACK_HOST, port });
  try {
    const inbox = `_INBOX.spec.${Date.now()}`;
    const body = Buffer.from(payload);
    socket.write(`CONNECT {"verbose":false,"pedantic":false}\r\nSUB ${inbox} 1\r\n`);
    socket.write(`PUB ${subject} ${inbox} ${body.length}\r\n`);
    socket.write(Buffer.concat([body, Buffer.from('\r\n')]));
    return await readUntil(socket, (text) => {
      const match = /MSG \S+ 1 (\d+)\r\n/.exec(text);
      if (match === null) return undefined;
      const start = match.index + match[0].length;
      const size = Number(match[1]);
      // Sizes are bytes; JetStream API replies are ASCII JSON, so characters == bytes here.
      return text.length >= start + size ? text.slice(start, start + size) : undefined;
    });
  } finally {
    socket.destroy();
  }
}

function readUntil<T>(socket: Socket, extract: (text: string) => T | undefined, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setTimeout(timeoutMs, () => reject(new Error(`no complete answer within ${timeoutMs} ms: ${text}`)));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('-ERR')) reject(new Error(text));
      const value = extract(text);
      if (value !== undefined) resolve(value);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed: ${text}`)));
  });
}
