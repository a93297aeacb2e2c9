import type { Envelope } from '../envelope/envelope.js';
import type { SerializedError } from '../errors/error.serializer.js';
import type { CatgaSignals } from '../signals/catga-signals.js';

/** What a request handler sends back: the result, or the typed error. */
export type Reply = { ok: true; result: unknown } | { ok: false; error: SerializedError };

export type RequestHandler = (envelope: Envelope) => Promise<Reply>;

export interface Delivery {
  /** 1 on first delivery, then +1 per redelivery. */
  readonly attempt: number;
}

/**
 * Handles one event delivery; throwing makes the transport redeliver, then dead-letter. A
 * `ShuttingDownError` is a refusal, not a failure: the event is handed back for another member
 * (or a later one) without counting toward `maxDeliveries` where the carrier allows, and never
 * dead-lettered for it.
 */
export type EventHandler = (envelope: Envelope, delivery: Delivery) => Promise<void>;

export interface ServeOptions {
  /** Replicas serving under the same group share the load; each request reaches one of them. */
  group: string;
}

export type SubscriptionMode = 'durable' | 'broadcast';

export interface SubscribeOptions {
  /** `durable`: one member of the group handles each event. `broadcast`: every subscriber does. */
  group: string;
  mode?: SubscriptionMode;
  /** Deliveries before the event goes to the dead letters. */
  maxDeliveries?: number;
}

export interface RequestOptions {
  timeoutMs: number;
}

export interface DeadLetter {
  envelope: Envelope;
  group: string;
  deliveries: number;
  error: SerializedError;
  deadLetteredAt: number;
}

/** A dead letter as the transport keeps it, for a person to look at and send back. */
export interface ArchivedDeadLetter extends DeadLetter {
  /** The transport's id for it: the dead-letter stream's sequence on NATS, the entry id on Redis Streams. */
  readonly id: string;
  /** As stored: the event's own headers plus the `Catga-Dead-*` ones. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event's body as it travelled. */
  readonly body: Uint8Array;
}

export interface DeadLetterQuery {
  type?: string;
  /** The handler group that gave it up. */
  group?: string;
  /** Dead-lettered at or after this time (epoch ms). */
  since?: number;
  /** Default 100. */
  limit?: number;
}

/** Where the transport keeps its dead letters: read, and removed once sent back or purged. */
export interface DeadLetterArchive {
  /** The dead letters matching `query`, oldest first; one whose headers cannot be read is logged and left out. */
  list(query?: DeadLetterQuery): Promise<ArchivedDeadLetter[]>;
  get(id: string): Promise<ArchivedDeadLetter | undefined>;
  /** Whether it was there to remove. */
  remove(id: string): Promise<boolean>;
}

export interface TransportSubscription {
  unsubscribe(): Promise<void>;
}

/** A fire-and-forget channel every instance on the transport hears; nothing is stored or redelivered. */
export interface PresenceChannel {
  announce(body: Uint8Array): Promise<void>;
  listen(handler: (body: Uint8Array) => void): Promise<TransportSubscription>;
}

/**
 * What the transport can tell of another instance: `alive` (it answered), `gone` (nobody holds its
 * address any more: it died or closed), `silent` (no answer in time: frozen, cut off, overloaded).
 */
export type Liveness = 'alive' | 'gone' | 'silent';

/**
 * Liveness of instances by their address (`<service>:<instance>@<epoch>`, see `ownerAddress`),
 * asked only when a claim or lease is found held by another instance: it costs nothing until then.
 */
export interface LivenessChannel {
  /** Answers checks for `address` until the transport closes (through drain: the work in hand is still owned). */
  answer(address: string): Promise<void>;
  /** Asks `address`'s instance whether it runs; rejects when this instance cannot ask (its own connection down). */
  check(address: string, timeoutMs: number): Promise<Liveness>;
}

/** Where a transport reports what happens below the pipeline: dead letters and connection changes. */
export type TransportSignals = Pick<CatgaSignals, 'emit'>;

/**
 * Moves envelopes between instances: request-reply for commands and queries (queue groups),
 * publish-subscribe for events (durable per group, or broadcast).
 */
export interface Transport {
  readonly name: string;
  /** Where instances announce themselves to each other (cluster membership); absent: none. */
  readonly presence?: PresenceChannel;
  /** Whether another instance still runs; absent: a held claim or lease is taken over only once it expires. */
  readonly liveness?: LivenessChannel;
  /** Called once before `start` with where to report dead letters and connection changes. */
  observe?(signals: TransportSignals): void;
  start(): Promise<void>;
  serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription>;
  /**
   * Sends a request to one server of the type. Rejects with `HandlerNotFoundError` when no server
   * exists, `TimeoutError` when none answers in time, `TransportUnavailableError` when disconnected.
   */
  request(envelope: Envelope, options: RequestOptions): Promise<Reply>;
  /** Resolves once the transport has accepted the event (durably, where the transport is durable). */
  publish(envelope: Envelope): Promise<void>;
  subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription>;
  /** Where its dead letters are kept to be listed, sent back and purged; absent: they are only reported. */
  readonly deadLetterArchive?: DeadLetterArchive;
  /** Receives events that exhausted their deliveries, with the last error. */
  subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription>;
  /**
   * Stops taking new messages and waits for the ones in hand to finish. What reaches this instance
   * while it stops (an open pull, a blocked read) is handled here, not given back: a given-back
   * delivery would count against the event's `maxDeliveries` on a carrier that counts every one.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}
