import { readFileSync } from 'node:fs';
import { Redis, ReplyError } from 'ioredis';
import { LOOPBACK_HOST } from '../net/host-port.js';
import { withTimeout } from '../timing/with-timeout.js';
import { RespError } from './resp-error.js';

/** A RESP2 reply: simple/bulk string, integer, nil, error, or array of replies. */
export type RespReply = string | number | null | RespError | readonly RespReply[];

export interface RespCommandOptions {
  readonly host?: string;
  /** TLS, trusting this CA file. */
  readonly caFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** Connect plus reply. Default 2 s. */
  readonly timeoutMs?: number;
}

/**
 * Sends one command on a fresh connection and returns its reply, throwing RespError for an error reply.
 * Enough for probing servers (PING, INFO, SENTINEL, CLUSTER, REPLICAOF); not a client for application code.
 */
export async function respCommand(port: number, args: readonly (string | number)[], options: RespCommandOptions = {}): Promise<RespReply> {
  const host = options.host ?? LOOPBACK_HOST;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const [command, ...rest] = args;
  const what = `${String(command ?? '')} to ${host}:${port}`;
  const client = new Redis({
    host,
    port,
    ...(options.caFile ? { tls: { ca: readFileSync(options.caFile) } } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    // A server still loading answers PING with -LOADING, which a readiness probe must see, not wait out.
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // RESP2 replies and nothing sent but the command itself: sentinels and old servers answer alike.
    protocol: 2,
    disableClientInfo: true,
  });
  let connectionError: Error | undefined;
  // Connection errors also reject the pending call; without a listener ioredis would print them too.
  client.on('error', (error: Error) => {
    connectionError = error;
  });
  try {
    return await withTimeout(exchange(client, String(command ?? ''), rest), timeoutMs, () => new Error(`no reply within ${timeoutMs} ms`));
  } catch (error) {
    if (error instanceof RespError) throw error;
    // ioredis rejects with "Connection is closed."; the socket error it emitted says why.
    const reason = connectionError?.message ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`${what}: ${reason}`, { cause: error });
  } finally {
    client.disconnect();
  }
}

async function exchange(client: Redis, command: string, args: readonly (string | number)[]): Promise<RespReply> {
  await client.connect();
  try {
    // Upper case so none of ioredis' per-command reply transformers (hgetall, zrange …) reshapes the reply.
    return toReply(await client.call(command.toUpperCase(), ...args));
  } catch (error) {
    if (isReplyError(error)) throw new RespError(error.message, { cause: error });
    throw error;
  }
}

/** What ioredis hands back, checked into the reply shapes RESP2 has. */
function toReply(value: unknown): RespReply {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(toReply);
  if (isReplyError(value)) return new RespError(value.message, { cause: value });
  throw new Error(`unexpected reply ${String(value)}`);
}

/** ioredis types its ReplyError export loosely; this narrows to what it is. */
function isReplyError(value: unknown): value is Error {
  return value instanceof Error && value instanceof ReplyError;
}
