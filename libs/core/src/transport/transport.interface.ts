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

/** Handles one event delivery; throwing makes the transport redeliver, then dead-letter. */
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

export interface TransportSubscription {
  unsubscribe(): Promise<void>;
}

/** A fire-and-forget channel every instance on the transport hears; nothing is stored or redelivered. */
export interface PresenceChannel {
  announce(body: Uint8Array): Promise<void>;
  listen(handler: (body: Uint8Array) => void): Promise<TransportSubscription>;
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
  /** Receives events that exhausted their deliveries, with the last error. */
  subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription>;
  /** Stops taking new messages and waits for the ones in hand to finish. */
  drain(): Promise<void>;
  close(): Promise<void>;
}
