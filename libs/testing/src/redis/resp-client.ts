import { connect } from 'node:net';
import { LOOPBACK_HOST } from '../net/host-port.js';
import { encodeCommand, parseReply, RespError, type RespReply } from './resp-codec.js';

export interface RespCommandOptions {
  readonly host?: string;
  /** Connect plus reply. Default 2 s. */
  readonly timeoutMs?: number;
}

/**
 * Sends one command on a fresh connection and returns its reply, throwing RespError for an error reply.
 * Enough for probing servers (PING, INFO, SENTINEL, CLUSTER, REPLICAOF); not a client for application code.
 */
export function respCommand(
  port: number,
  args: readonly (string | number)[],
  options: RespCommandOptions = {},
): Promise<RespReply> {
  const host = options.host ?? LOOPBACK_HOST;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const what = `${String(args[0] ?? '')} to ${host}:${port}`;
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host, port });
    const finish = (error: Error | undefined, reply?: RespReply): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? null);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`${what}: no reply within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(encodeCommand(args)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      let parsed;
      try {
        parsed = parseReply(received);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (parsed === undefined) return;
      if (parsed.value instanceof RespError) finish(parsed.value);
      else finish(undefined, parsed.value);
    });
    socket.once('error', (error) => finish(new Error(`${what}: ${error.message}`)));
    socket.once('close', () => finish(new Error(`${what}: connection closed before a complete reply`)));
  });
}
