import { after, before } from 'node:test';
import { newMessageId, type Envelope, type MessageKind } from '@catga/core';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';
import { RedisStreamsTransport } from './redis-streams.transport.js';

/** A message as a caller would send it. */
export function testEnvelope(type: string, kind: MessageKind, body: unknown = {}): Envelope {
  const id = newMessageId();
  return { id, type, kind, correlationId: id, causationId: undefined, timestamp: Date.now(), headers: {}, body };
}

export interface OwnRedis {
  readonly server: RedisServerHandle;
  /** A new connection, quit after the file's tests. */
  client(): Redis;
  /** A transport on a new connection, closed after the file's tests. */
  transport(options: Omit<RedisStreamsTransportOptions, 'client'>): RedisStreamsTransport;
}

/** A redis-server of this spec file's own (started before its tests, stopped after), with what runs on it. */
export function ownRedis(): OwnRedis {
  let server: RedisServerHandle | undefined;
  const clients: Redis[] = [];
  const transports: RedisStreamsTransport[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server?.stop();
  });
  const own: OwnRedis = {
    get server() {
      if (!server) throw new Error('the Redis server starts in before()');
      return server;
    },
    client: () => {
      const client = new Redis(own.server.url);
      clients.push(client);
      return client;
    },
    transport: (options) => {
      const transport = new RedisStreamsTransport({ ...options, client: own.client() });
      transports.push(transport);
      return transport;
    },
  };
  return own;
}
