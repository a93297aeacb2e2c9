import type { Cluster, Redis } from 'ioredis';

export interface RedisStreamsTransportOptions {
  /** A connection; the transport duplicates it for each blocking reader. */
  client: Redis | Cluster;
  /** Quit `client` at `close()`: for a client nothing else uses. Default false; `redisStreamsTransport({ url })` sets it for the client it creates. */
  closeClient?: boolean;
  /** First part of every key. Default `catga`. */
  keyPrefix?: string;
  /** Names this instance's reply stream and its consumers. */
  instanceId: string;
  /** How long one blocking read waits, in ms; also bounds how long a stopping reader takes. Default 1000. */
  blockMs?: number;
  /** Deliveries of an event before it goes to the dead-letter stream. Default 5. */
  maxDeliveries?: number;
  /** Delay before retrying a failed event: `redeliveryDelayMs * 2^(n-1)`, capped at 30 s. Default 200. */
  redeliveryDelayMs?: number;
  /** A message its reader stopped keeping alive this long (it died or froze) is claimed by another, in ms; kept alive every third of it while handled. Default 1000. */
  ackWaitMs?: number;
  /** Largest body sent or handled, and largest reply sent back, in bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Entries kept per stream (approximate trim). Default 100000. */
  streamMaxLength?: number;
  /** Events one reader handles at once. Default 64. */
  concurrency?: number;
}
