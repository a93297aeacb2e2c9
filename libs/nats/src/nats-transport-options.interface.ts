import type { ConnectionOptions } from '@nats-io/transport-node';

export interface NatsStreamOptions {
  /**
   * Stream for events. Default `<PREFIX>_EVENTS` (prefix upper-cased, dots as underscores). The
   * dead-letter stream is `<PREFIX>_DLQ` whatever this is.
   */
  name?: string;
  /** `limits` (keep by age/size, default), `interest` (until every consumer acked) or `workqueue`. */
  retention?: 'limits' | 'interest' | 'workqueue';
  /** How long events are kept, in ms. Default 7 days. */
  maxAgeMs?: number;
  /** Copies in a JetStream cluster (1, 3 or 5). Default 1. */
  replicas?: number;
  /** Default `file`. */
  storage?: 'file' | 'memory';
  /** Window in which a repeated `Nats-Msg-Id` is dropped by the server, in ms. Default 2 minutes. */
  duplicateWindowMs?: number;
}

export interface NatsConsumerOptions {
  /** Deliveries of an event before it goes to the dead-letter stream. Default 5. */
  maxDeliveries?: number;
  /** Time a replica has to ack before the event is redelivered elsewhere, in ms. Default 30000. */
  ackWaitMs?: number;
  /** Delay before redelivering a failed event: `redeliveryDelayMs * 2^(n-1)`, capped at 30 s. Default 200. */
  redeliveryDelayMs?: number;
  /** Events one replica handles at once per subscription. Default 64. */
  concurrency?: number;
  /**
   * How long one pull waits for events, in ms. A stopping replica's last pull lives this long,
   * so it bounds how long shutdown takes per subscription. Default 1000.
   */
  pullExpiresMs?: number;
}

export interface NatsTransportOptions {
  /** One or more server URLs (`nats://host:4222`), as an array or comma-separated. */
  servers: string | readonly string[];
  /** Connection name seen by the server. Default `<service>:<instance>` when created by the module. */
  name?: string;
  /** First token of every subject. Default `catga`. */
  subjectPrefix?: string;
  /** Default -1 (forever). */
  maxReconnectAttempts?: number;
  /** Default 1000 ms. */
  reconnectTimeWaitMs?: number;
  /** How long start keeps retrying the JetStream stream setup (no leader yet, a node restarting), in ms. Default 60000. */
  setupTimeoutMs?: number;
  /**
   * How long one request attempt waits before retrying with the same id, in ms, when progress is
   * off (`progressIntervalMs: 0`) or the serving replica is of a version that sends none. Default 5000.
   */
  attemptTimeoutMs?: number;
  /**
   * How often the replica serving a request says it still holds it, in ms; a caller that hears
   * nothing for three intervals retries elsewhere (the replica died, froze or was cut off) instead
   * of waiting out `attemptTimeoutMs`. 0 turns progress off. Default 200.
   */
  progressIntervalMs?: number;
  /**
   * How long the transport itself retries "no responders", in ms, before it reports
   * `HANDLER_NOT_FOUND`. Default 0: the core then waits, until the request's deadline, for a type
   * the cluster saw served (a restart in progress) and fails a type nobody serves at once.
   */
  noRespondersTimeoutMs?: number;
  /** How long an event publish keeps retrying (a stream leader moving), in ms. Default 10000. */
  publishTimeoutMs?: number;
  /** Largest body sent or handled, in bytes. Default 1 MiB (the server's default max_payload). */
  maxPayloadBytes?: number;
  stream?: NatsStreamOptions;
  consumer?: NatsConsumerOptions;
  /** Passed through to the client: credentials, TLS, authenticator, ping interval… */
  connection?: Omit<ConnectionOptions, 'servers' | 'name' | 'maxReconnectAttempts' | 'reconnectTimeWait'>;
}
