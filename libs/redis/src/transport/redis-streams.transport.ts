import { type Envelope, HandlerNotFoundError, TimeoutError, type Transport, TransportUnavailableError } from '@catga/core';
import {
  type DeadLetter,
  type DeadLetterArchive,
  type DeadLetterFacts,
  encodeEnvelope,
  type EventHandler,
  type HealthReport,
  type HealthReporting,
  InFlight,
  type LivenessChannel,
  type Reply,
  type RequestHandler,
  type RequestOptions,
  type ServeOptions,
  type SubscribeOptions,
  type TransportSignals,
  type TransportSubscription,
} from '@catga/core/transport';

import { Logger } from '@nestjs/common';
import { RedisDeadLetterStream } from './redis-dead-letter.stream.js';
import { broadcastDelivery, eventDelivery } from './redis-event.delivery.js';
import { RedisGroupReader, type GroupHandler } from './redis-group.reader.js';
import { RedisLivenessChannel } from './redis-liveness.channel.js';
import { RedisPlainReader } from './redis-plain.reader.js';
import { RedisReplyChannel } from './redis-reply.channel.js';
import { answerRequests } from './redis-request.answer.js';
import { decodeEntry, fieldsOf, messageFields, type StreamEntry } from './redis-stream.entry.js';
import { RedisStreamGroups } from './redis-stream.groups.js';
import type { ReaderContext, StreamReader } from './redis-stream.reader.js';
import { connectionHealth, quit, watchConnection } from './redis-streams.connection.js';
import { RedisStreamsKeys } from './redis-streams.keys.js';
import { resolveRedisStreamsSettings, type RedisStreamsSettings } from './redis-streams-settings.js';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';

/** Requests one replica handles at once; each read takes one, so each new request wakes the next idle replica. */
const REQUEST_CONCURRENCY = 64;

/**
 * Catga over Redis Streams, for deployments with Redis and no NATS. Requests go to a stream per
 * type read by the serving group (one replica per request, pending ones claimed from a dead
 * replica after `ackWaitMs`); replies come back on a stream per caller. Events go to a stream per
 * type with a consumer group per handler group: acked after success, retried with backoff,
 * claimed from a dead reader, dead-lettered after `maxDeliveries`. Broadcast reads without a
 * group. Redis has no publish de-duplication: a repeated event relies on the handler side's
 * idempotency. Liveness goes over pub/sub (`RedisLivenessChannel`).
 */
export class RedisStreamsTransport implements Transport, HealthReporting {
  readonly name = 'redis-streams';
  private readonly logger = new Logger('CatgaRedisStreams');
  private readonly settings: RedisStreamsSettings;
  private readonly keys: RedisStreamsKeys;
  private readonly inFlight = new InFlight();
  private readonly context: ReaderContext;
  private readonly groups: RedisStreamGroups;
  private readonly replies: RedisReplyChannel;
  private readonly deadLetters: RedisDeadLetterStream;
  /** The dead-letter stream, by entry id. */
  readonly deadLetterArchive: DeadLetterArchive;
  private readonly livenessChannel: RedisLivenessChannel;
  private readonly readers = new Set<StreamReader>();
  private stopped = false;
  private closed = false;
  private signals: TransportSignals | undefined;
  private unwatch: (() => void) | undefined;

  constructor(options: RedisStreamsTransportOptions) {
    const settings = (this.settings = resolveRedisStreamsSettings(options));
    this.keys = new RedisStreamsKeys(settings.keyPrefix);
    this.context = { client: settings.client, blockMs: settings.blockMs, inFlight: this.inFlight, logger: this.logger };
    this.groups = new RedisStreamGroups(settings.client);
    this.replies = new RedisReplyChannel(this.context, this.keys.reply(settings.instanceId));
    this.deadLetters = new RedisDeadLetterStream(settings.client, this.keys.deadLetters(), settings.streamMaxLength, this.logger);
    this.deadLetterArchive = this.deadLetters;
    this.livenessChannel = new RedisLivenessChannel(settings.client, this.keys, settings.instanceId, this.logger);
  }

  get liveness(): LivenessChannel {
    return this.livenessChannel;
  }

  observe(signals: TransportSignals): void {
    this.signals = signals;
    this.unwatch = watchConnection(this.settings.client, this.name, signals, () => this.closed);
  }

  /** Nothing to open: the client connects by itself, and the core loads the body hydrator at bootstrap. */
  async start(): Promise<void> {}

  health(): Promise<HealthReport> {
    return connectionHealth(this.settings.client);
  }

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    const key = this.keys.request(type);
    await this.groups.create(key, options.group);
    const handle = answerRequests({ type, handler, client: this.settings.client, maxPayloadBytes: this.settings.maxPayloadBytes });
    return this.readGroup(key, options.group, REQUEST_CONCURRENCY, 1, handle);
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    this.assertOpen();
    const wire = encodeEnvelope(envelope, this.settings.maxPayloadBytes);
    const key = this.keys.request(envelope.type);
    if (!(await this.groups.isServed(key))) throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
    const fields = [...messageFields(wire), 'r', this.replies.key];
    const send = (token: string) =>
      this.settings.client
        .xadd(key, 'MAXLEN', '~', String(this.settings.streamMaxLength), '*', ...fields, 't', token)
        .catch((error: unknown) => {
          throw new TransportUnavailableError(`Redis did not take the request: ${String(error)}`, { messageId: envelope.id });
        });
    try {
      return await this.replies.request(envelope, options.timeoutMs, send);
    } catch (error) {
      if (error instanceof TimeoutError) this.groups.forget(key);
      throw error;
    }
  }

  async publish(envelope: Envelope): Promise<void> {
    this.assertOpen();
    const wire = encodeEnvelope(envelope, this.settings.maxPayloadBytes);
    try {
      await this.settings.client.xadd(
        this.keys.event(envelope.type),
        'MAXLEN',
        '~',
        String(this.settings.streamMaxLength),
        '*',
        ...messageFields(wire),
      );
    } catch (error) {
      throw new TransportUnavailableError(`Redis did not take the event: ${String(error)}`, { messageId: envelope.id });
    }
  }

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    const key = this.keys.event(type);
    const decode = (entry: StreamEntry) =>
      decodeEntry(fieldsOf(entry), { maxBodyBytes: this.settings.maxPayloadBytes, expectedType: type, defaultKind: 'event' });
    if (options.mode === 'broadcast')
      return this.own(new RedisPlainReader(this.context, key, broadcastDelivery(type, decode, handler, this.logger)));
    await this.groups.create(key, options.group);
    const { concurrency, redeliveryDelayMs } = this.settings;
    const maxDeliveries = options.maxDeliveries ?? this.settings.maxDeliveries;
    const deadLetter = (fields: ReadonlyMap<string, string>, facts: DeadLetterFacts) => this.deadLetters.write(fields, facts, this.signals);
    const handle = eventDelivery({ type, group: options.group, maxDeliveries, redeliveryDelayMs, decode, handler, deadLetter });
    return this.readGroup(key, options.group, concurrency, Math.max(1, Math.floor(concurrency / 8)), handle);
  }

  async subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    return this.own(this.deadLetters.reader(this.context, handler));
  }

  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.readers].map((r) => r.stop()));
    this.readers.clear();
    await this.inFlight.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    this.unwatch?.();
    await Promise.all([this.replies.close(), this.livenessChannel.close()]);
    if (this.settings.closeClient) await quit(this.settings.client);
  }

  private readGroup(key: string, group: string, concurrency: number, batch: number, handle: GroupHandler): Promise<TransportSubscription> {
    const consumer = this.keys.consumer(this.settings.instanceId);
    return this.own(
      new RedisGroupReader(this.context, { key, group, consumer, concurrency, batch, ackWaitMs: this.settings.ackWaitMs }, handle),
    );
  }

  /** Starts a reader unless the transport is draining, and keeps it for `drain()`. */
  private async own(reader: StreamReader): Promise<TransportSubscription> {
    if (!this.stopped) await reader.start();
    // A drain that began while this one started has stopped only the readers it knew of.
    if (this.stopped) {
      await reader.stop();
      return { unsubscribe: async () => undefined };
    }
    this.readers.add(reader);
    return {
      unsubscribe: async () => {
        this.readers.delete(reader);
        await reader.stop();
      },
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportUnavailableError('The Redis Streams transport is closed');
  }
}
