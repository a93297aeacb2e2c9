import type { NatsConsumerOptions, NatsStreamOptions, NatsTransportOptions } from './nats-transport-options.interface.js';
import { Subjects } from './subjects.js';

/** Every default of `NatsTransportOptions`, in one place (docs/nats.md lists the same numbers). */
export const NATS_DEFAULTS = {
  subjectPrefix: 'catga',
  maxReconnectAttempts: -1,
  reconnectTimeWaitMs: 1_000,
  setupTimeoutMs: 60_000,
  attemptTimeoutMs: 5_000,
  progressIntervalMs: 200,
  noRespondersTimeoutMs: 0,
  publishTimeoutMs: 10_000,
  maxPayloadBytes: 1024 * 1024,
  stream: {
    retention: 'limits',
    maxAgeMs: 7 * 24 * 3600_000,
    replicas: 1,
    storage: 'file',
    duplicateWindowMs: 120_000,
  },
  consumer: {
    maxDeliveries: 5,
    ackWaitMs: 750,
    redeliveryDelayMs: 200,
    concurrency: 64,
    pullExpiresMs: 1_000,
  },
  /** Dead letters are kept at least this long, whatever the event stream's `maxAgeMs`. */
  deadLetterMinAgeMs: 30 * 24 * 3600_000,
} as const;

/** One JetStream stream as it is created: its name and every limit resolved. */
export interface NatsStreamSettings {
  readonly name: string;
  readonly retention: NonNullable<NatsStreamOptions['retention']>;
  readonly maxAgeMs: number;
  readonly replicas: number;
  readonly storage: NonNullable<NatsStreamOptions['storage']>;
  readonly duplicateWindowMs: number;
}

export type NatsConsumerSettings = Readonly<Required<NatsConsumerOptions>>;

/** `NatsTransportOptions` with every default applied: what the transport reads after its constructor. */
export interface NatsSettings {
  readonly servers: readonly string[];
  readonly name: string | undefined;
  readonly subjectPrefix: string;
  readonly maxReconnectAttempts: number;
  readonly reconnectTimeWaitMs: number;
  readonly setupTimeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly progressIntervalMs: number;
  readonly noRespondersTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly maxPayloadBytes: number;
  /** The event stream. */
  readonly stream: NatsStreamSettings;
  /** The dead-letter stream: named from the prefix, limits retention, kept at least `deadLetterMinAgeMs`. */
  readonly deadLetterStream: NatsStreamSettings;
  readonly consumer: NatsConsumerSettings;
  readonly connection: NonNullable<NatsTransportOptions['connection']>;
}

export function resolveNatsSettings(options: NatsTransportOptions): NatsSettings {
  const d = NATS_DEFAULTS;
  const subjectPrefix = options.subjectPrefix ?? d.subjectPrefix;
  const subjects = new Subjects(subjectPrefix);
  const s = options.stream ?? {};
  const c = options.consumer ?? {};
  const stream: NatsStreamSettings = {
    name: streamName(s.name, subjects) ?? subjects.eventStream(),
    retention: s.retention ?? d.stream.retention,
    maxAgeMs: s.maxAgeMs ?? d.stream.maxAgeMs,
    replicas: s.replicas ?? d.stream.replicas,
    storage: s.storage ?? d.stream.storage,
    duplicateWindowMs: s.duplicateWindowMs ?? d.stream.duplicateWindowMs,
  };
  return {
    servers: serverList(options.servers),
    name: options.name,
    subjectPrefix,
    maxReconnectAttempts: options.maxReconnectAttempts ?? d.maxReconnectAttempts,
    reconnectTimeWaitMs: options.reconnectTimeWaitMs ?? d.reconnectTimeWaitMs,
    setupTimeoutMs: options.setupTimeoutMs ?? d.setupTimeoutMs,
    attemptTimeoutMs: options.attemptTimeoutMs ?? d.attemptTimeoutMs,
    progressIntervalMs: options.progressIntervalMs ?? d.progressIntervalMs,
    noRespondersTimeoutMs: options.noRespondersTimeoutMs ?? d.noRespondersTimeoutMs,
    publishTimeoutMs: options.publishTimeoutMs ?? d.publishTimeoutMs,
    maxPayloadBytes: options.maxPayloadBytes ?? d.maxPayloadBytes,
    stream,
    deadLetterStream: {
      ...stream,
      name: subjects.deadLetterStream(),
      retention: 'limits',
      maxAgeMs: Math.max(stream.maxAgeMs, d.deadLetterMinAgeMs),
    },
    consumer: {
      maxDeliveries: c.maxDeliveries ?? d.consumer.maxDeliveries,
      ackWaitMs: c.ackWaitMs ?? d.consumer.ackWaitMs,
      redeliveryDelayMs: c.redeliveryDelayMs ?? d.consumer.redeliveryDelayMs,
      concurrency: c.concurrency ?? d.consumer.concurrency,
      pullExpiresMs: c.pullExpiresMs ?? d.consumer.pullExpiresMs,
    },
    connection: options.connection ?? {},
  };
}

function serverList(servers: string | readonly string[]): readonly string[] {
  if (typeof servers !== 'string') return [...servers];
  return servers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// JetStream refuses these in a stream name; saying so here beats a setup retried for a minute.
function streamName(name: string | undefined, subjects: Subjects): string | undefined {
  if (name === undefined) return undefined;
  if (!/^[^\s.*>/\\]+$/.test(name)) {
    throw new Error(`Invalid stream name "${name}": no whitespace, ".", "*", ">", "/" or "\\"`);
  }
  if (name === subjects.deadLetterStream()) throw new Error(`Stream name "${name}" is the dead-letter stream's`);
  return name;
}
