import {
  decodeEnvelope,
  decodeReply,
  encodeEnvelope,
  encodeReply,
  HandlerNotFoundError,
  PayloadTooLargeError,
  serializeError,
  TimeoutError,
  TransportUnavailableError,
  WireHeader,
  type DeadLetter,
  type Envelope,
  type EventHandler,
  type HealthReport,
  type HealthReporting,
  type PresenceChannel,
  type Reply,
  type RequestHandler,
  type RequestOptions,
  type SerializedError,
  type ServeOptions,
  type SubscribeOptions,
  type Transport,
  type TransportSignals,
  type TransportSubscription,
} from '@catga/core';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { DurableSubscription } from './jetstream/durable-subscription.js';
import { ensureStream } from './jetstream/stream.setup.js';
import type { NatsTransportOptions } from './nats-transport-options.interface.js';
import { retryUntilDeadline, RetryableAttempt } from '@catga/core/transport';
import { Subjects } from './subjects.js';
import { classifyNatsError } from './wire/nats-errors.js';
import { fromNatsHeaders, toNatsHeaders } from './wire/nats-headers.js';


/**
 * Catga over NATS: requests on `<prefix>.req.<type>` served by queue groups (one replica per
 * request), events on JetStream with a durable consumer per handler group, dead letters on
 * their own stream. See docs/PROTOCOL.md.
 */
export class NatsTransport implements Transport, HealthReporting {
  readonly name = 'nats';
  readonly subjects: Subjects;
  private readonly logger = new Logger('CatgaNats');
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private starting: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly durables = new Set<DurableSubscription>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly maxPayloadBytes: number;
  private accepting = true;
  private closed = false;
  private signals: TransportSignals | undefined;

  constructor(private readonly options: NatsTransportOptions) {
    this.subjects = new Subjects(options.subjectPrefix ?? 'catga');
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
  }

  /** The live connection (health checks, tests). */
  get connection(): NatsConnection {
    if (!this.nc) throw new TransportUnavailableError('The NATS transport is not started');
    return this.nc;
  }

  /** Connected, round trip within a second, and JetStream answering. */
  async health(): Promise<HealthReport> {
    const nc = this.nc;
    if (!nc || nc.isClosed()) return { up: false, details: { connected: false } };
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1000 ms')), 1_000).unref())]);
    try {
      const rttMs = await within(nc.rtt());
      await within(this.jsm!.getAccountInfo());
      return { up: true, details: { connected: true, server: nc.getServer(), rttMs, jetstream: true } };
    } catch (error) {
      return { up: false, details: { connected: false, server: nc.getServer(), error: (error as Error).message } };
    }
  }

  readonly presence: PresenceChannel = {
    announce: async (body) => {
      const nc = await this.ready();
      nc.publish(this.subjects.presence(), body);
    },
    listen: async (handler) => {
      const nc = await this.ready();
      const sub = nc.subscribe(this.subjects.presence(), {
        callback: (error, msg) => {
          if (!error) handler(msg.data);
        },
      });
      await nc.flush();
      return this.own(sub);
    },
  };

  observe(signals: TransportSignals): void {
    this.signals = signals;
  }

  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    const nc = await this.ready();
    const sub = nc.subscribe(this.subjects.request(type), {
      queue: options.group,
      callback: (error, msg) => {
        if (error) return this.logger.warn(`Request subscription for ${type} failed: ${String(error)}`);
        this.track(this.answer(msg, type, handler));
      },
    });
    // The server knows the subscription once flush returns, so a request sent next finds it.
    await nc.flush();
    return this.own(sub);
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    const nc = await this.ready();
    const wire = encodeEnvelope(envelope, this.maxPayloadBytes);
    const headers = toNatsHeaders(wire.headers);
    const subject = this.subjects.request(envelope.type);
    const deadline = Date.now() + options.timeoutMs;
    const attemptTimeout = this.options.attemptTimeoutMs ?? 5_000;
    const noRespondersLimit = this.options.noRespondersTimeoutMs ?? 3_000;
    let noRespondersSince: number | undefined;
    const state: { lastFailure: 'no-responders' | 'timeout' | 'other' } = { lastFailure: 'timeout' };

    const attempt = async (): Promise<Reply> => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new RetryableAttempt('deadline');
      try {
        const msg = await nc.request(subject, wire.body, { timeout: Math.min(attemptTimeout, remaining), headers });
        const reply = decodeReply(msg.data);
        // A replica that is draining answers SHUTTING_DOWN: another one will take the same id.
        if (!reply.ok && reply.error.code === 'SHUTTING_DOWN') throw new RetryableAttempt('replica shutting down');
        return reply;
      } catch (error) {
        if (error instanceof RetryableAttempt) {
          noRespondersSince = undefined;
          state.lastFailure = 'other';
          throw error;
        }
        const kind = classifyNatsError(error);
        if (kind === 'closed') throw new TransportUnavailableError(`NATS connection closed: ${String(error)}`, { messageId: envelope.id });
        if (kind === 'no-responders') {
          noRespondersSince ??= Date.now();
          state.lastFailure = 'no-responders';
          if (Date.now() - noRespondersSince >= noRespondersLimit) {
            throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
          }
        } else {
          // A timeout or a dropped connection: retry with the same id; idempotency replays the outcome.
          noRespondersSince = undefined;
          state.lastFailure = kind === 'timeout' ? 'timeout' : 'other';
        }
        throw new RetryableAttempt(String(error));
      }
    };
    try {
      return await retryUntilDeadline(attempt, deadline, { initialMs: 20, maxMs: 500 });
    } catch (error) {
      if (!(error instanceof RetryableAttempt)) throw error;
      if (state.lastFailure === 'no-responders') throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
      throw new TimeoutError(`No reply for ${envelope.type} within ${options.timeoutMs} ms`, { messageId: envelope.id });
    }
  }

  async publish(envelope: Envelope): Promise<void> {
    await this.ready();
    const wire = encodeEnvelope(envelope, this.maxPayloadBytes);
    await this.publishToStream(this.subjects.event(envelope.type), wire.body, wire.headers, envelope.id);
  }

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    const nc = await this.ready();
    if (options.mode === 'broadcast') {
      const sub = nc.subscribe(this.subjects.event(type), {
        callback: (error, msg) => {
          if (error || !this.accepting) return;
          this.track(this.deliverBroadcast(msg, type, handler));
        },
      });
      await nc.flush();
      return this.own(sub);
    }
    const consumer = this.options.consumer ?? {};
    const durable = new DurableSubscription(
      this.js!,
      this.jsm!,
      {
        stream: this.subjects.eventStream(),
        consumer: this.subjects.consumer(options.group, type),
        filterSubject: this.subjects.event(type),
        type,
        group: options.group,
        maxDeliveries: options.maxDeliveries ?? consumer.maxDeliveries ?? 5,
        ackWaitMs: consumer.ackWaitMs ?? 30_000,
        redeliveryDelayMs: consumer.redeliveryDelayMs ?? 200,
        concurrency: consumer.concurrency ?? 64,
        pullExpiresMs: consumer.pullExpiresMs ?? 1_000,
        maxPayloadBytes: this.maxPayloadBytes,
      },
      handler,
      (msg, error, deliveries) => this.deadLetter(msg, type, options.group, error, deliveries),
      (work) => this.track(work),
    );
    await durable.start();
    this.durables.add(durable);
    return {
      unsubscribe: async () => {
        this.durables.delete(durable);
        await durable.stop();
      },
    };
  }

  async subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    await this.ready();
    const consumer = await this.js!.consumers.get(this.subjects.deadLetterStream(), { deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume();
    const loop = (async () => {
      for await (const msg of messages) {
        const dl = this.readDeadLetter(msg);
        if (dl) await handler(dl).catch((e: unknown) => this.logger.warn(`Dead-letter handler failed: ${String(e)}`));
      }
    })();
    return {
      unsubscribe: async () => {
        await messages.close().catch(() => undefined);
        await loop;
      },
    };
  }

  async drain(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.subscriptions].map((s) => s.drain()));
    this.subscriptions.clear();
    await Promise.allSettled([...this.durables].map((d) => d.stop()));
    this.durables.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    // drain() on the connection flushes acks and publishes still buffered, then closes.
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }

  private async connect(): Promise<void> {
    const o = this.options;
    const servers = typeof o.servers !== "string" ? [...o.servers] : o.servers.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      this.nc = await connect({
        // Stack traces on every request halve throughput; errors here carry their own context.
        noAsyncTraces: true,
        ...o.connection,
        servers,
        name: o.name,
        maxReconnectAttempts: o.maxReconnectAttempts ?? -1,
        reconnectTimeWait: o.reconnectTimeWaitMs ?? 1_000,
      });
    } catch (error) {
      this.starting = undefined;
      throw new TransportUnavailableError(`Cannot connect to NATS at ${servers.join(', ')}: ${String(error)}`, { cause: error });
    }
    this.signals?.emit('connection', { transport: this.name, connected: true, reconnected: false, server: this.nc.getServer() });
    void this.watchStatus(this.nc);
    this.js = jetstream(this.nc);
    await this.setUpStreams();
  }

  /**
   * Creates or updates the event and dead-letter streams. A cluster without a JetStream leader
   * (a node restarting, an election) times out; the setup is retried until `setupTimeoutMs`.
   */
  private async setUpStreams(): Promise<void> {
    const stream = this.options.stream ?? {};
    const nc = this.nc!;
    const attempt = async () => {
      try {
        this.jsm = await jetstreamManager(nc);
        await ensureStream(this.jsm, this.subjects.eventStream(), [this.subjects.allEvents()], stream);
        await ensureStream(this.jsm, this.subjects.deadLetterStream(), [this.subjects.allDeadLetters()], {
          ...stream,
          retention: 'limits',
          maxAgeMs: Math.max(stream.maxAgeMs ?? 0, 30 * 24 * 3600_000),
        });
      } catch (error) {
        if (nc.isClosed()) throw error;
        this.logger.warn(`JetStream not ready (${String((error as Error)?.message ?? error)}); retrying`);
        throw new RetryableAttempt(String(error));
      }
    };
    try {
      await retryUntilDeadline(attempt, Date.now() + (this.options.setupTimeoutMs ?? 60_000), { initialMs: 200, maxMs: 2_000 });
    } catch (error) {
      this.starting = undefined;
      await nc.close().catch(() => undefined);
      throw new TransportUnavailableError(`JetStream streams could not be set up: ${String((error as Error)?.message ?? error)}`, { cause: error });
    }
  }

  private async ready(): Promise<NatsConnection> {
    if (this.closed) throw new TransportUnavailableError('The NATS transport is closed');
    await this.start();
    return this.nc!;
  }

  private async answer(msg: Msg, type: string, handler: RequestHandler): Promise<void> {
    if (!msg.reply) return;
    const headers = fromNatsHeaders(msg.headers);
    let reply: Reply;
    try {
      const envelope = decodeEnvelope(headers, msg.data, {
        maxBodyBytes: this.maxPayloadBytes,
        expectedType: type,
        defaultKind: 'command',
      });
      reply = await handler(envelope);
    } catch (error) {
      reply = { ok: false, error: serializeError(error, headers.get(WireHeader.messageId)) };
    }
    let body = encodeReply(reply);
    if (body.byteLength > this.maxPayloadBytes) {
      const tooLarge = new PayloadTooLargeError(`Reply of ${body.byteLength} bytes exceeds the limit of ${this.maxPayloadBytes}`);
      body = encodeReply({ ok: false, error: serializeError(tooLarge, headers.get(WireHeader.messageId)) });
    }
    try {
      msg.respond(body, { headers: toNatsHeaders({ [WireHeader.contentType]: 'application/json' }) });
    } catch (error) {
      this.logger.warn(`Could not reply to ${type}: ${String(error)}`);
    }
  }

  private async deliverBroadcast(msg: Msg, type: string, handler: EventHandler): Promise<void> {
    try {
      const envelope = decodeEnvelope(fromNatsHeaders(msg.headers), msg.data, {
        maxBodyBytes: this.maxPayloadBytes,
        expectedType: type,
        defaultKind: 'event',
      });
      await handler(envelope, { attempt: 1 });
    } catch (error) {
      // Broadcast is fire-and-forget (core NATS): nothing to redeliver.
      this.logger.warn(`Broadcast ${type} failed: ${String(error)}`);
    }
  }

  private async publishToStream(subject: string, body: Uint8Array, headers: Record<string, string>, msgId: string): Promise<void> {
    const js = this.js!;
    const deadline = Date.now() + (this.options.publishTimeoutMs ?? 10_000);
    const attempt = async (): Promise<void> => {
      try {
        await js.publish(subject, body, {
          msgID: msgId,
          headers: toNatsHeaders(headers),
          timeout: Math.max(100, Math.min(5_000, deadline - Date.now())),
        });
      } catch (error) {
        if (classifyNatsError(error) === 'closed') throw new TransportUnavailableError(`NATS connection closed: ${String(error)}`);
        // No stream leader right now, a timeout, a reconnect: same msgID, so the server de-duplicates.
        throw new RetryableAttempt(String(error));
      }
    };
    try {
      await retryUntilDeadline(attempt, deadline, { initialMs: 50, maxMs: 1_000 });
    } catch (error) {
      if (error instanceof RetryableAttempt) {
        throw new TransportUnavailableError(`JetStream did not accept ${subject}: ${error.message}`, { messageId: msgId });
      }
      throw error;
    }
  }

  private async deadLetter(msg: JsMsg, type: string, group: string, error: unknown, deliveries: number): Promise<void> {
    const original = fromNatsHeaders(msg.headers);
    const id = original.get(WireHeader.messageId) ?? `seq-${msg.seq}`;
    const headers: Record<string, string> = Object.fromEntries(original);
    headers[WireHeader.deadGroup] = group;
    headers[WireHeader.deadDeliveries] = String(deliveries);
    const serialized = serializeError(error, id);
    headers[WireHeader.deadError] = JSON.stringify(serialized);
    headers[WireHeader.deadAt] = String(Date.now());
    await this.publishToStream(this.subjects.deadLetter(type), msg.data, headers, `${id}:${group}`);
    this.signals?.emit('deadLettered', { type, group, messageId: original.get(WireHeader.messageId), deliveries, error: serialized });
    this.logger.warn(`Dead-lettered ${type} ${id} for ${group} after ${deliveries} deliveries: ${String((error as Error)?.message ?? error)}`);
  }

  private readDeadLetter(msg: JsMsg): DeadLetter | undefined {
    const headers = fromNatsHeaders(msg.headers);
    try {
      const envelope = decodeEnvelope(headers, msg.data, { maxBodyBytes: Number.MAX_SAFE_INTEGER, defaultKind: 'event' });
      return {
        envelope,
        group: headers.get(WireHeader.deadGroup) ?? '',
        deliveries: Number(headers.get(WireHeader.deadDeliveries) ?? 0),
        error: JSON.parse(headers.get(WireHeader.deadError) ?? '{}') as SerializedError,
        deadLetteredAt: Number(headers.get(WireHeader.deadAt) ?? Date.now()),
      };
    } catch (error) {
      this.logger.warn(`Unreadable dead letter ${msg.seq}: ${String(error)}`);
      return undefined;
    } finally {
      msg.ack();
    }
  }

  private own(sub: Subscription): TransportSubscription {
    this.subscriptions.add(sub);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        await sub.drain().catch(() => undefined);
      },
    };
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.logger.warn(`Disconnected from NATS ${status.server}`);
        this.signals?.emit('connection', { transport: this.name, connected: false, reconnected: false, server: status.server });
      } else if (status.type === 'reconnect') {
        this.logger.log(`Reconnected to NATS ${status.server}`);
        this.signals?.emit('connection', { transport: this.name, connected: true, reconnected: true, server: status.server });
      }
    }
  }
}

