import { type Envelope, type Transport, TransportUnavailableError } from '@catga/core';
import {
  type DeadLetter,
  type DeadLetterArchive,
  encodeEnvelope,
  type EventHandler,
  type HealthReport,
  type HealthReporting,
  InFlight,
  type LivenessChannel,
  type PresenceChannel,
  type Reply,
  type RequestHandler,
  type RequestOptions,
  type ServeOptions,
  type SubscribeOptions,
  type TransportSignals,
  type TransportSubscription,
} from '@catga/core/transport';

import type { NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { NatsBroadcastSubscriber } from './broadcast/nats-broadcast.subscriber.js';
import { NatsConnector, type NatsSession } from './connection/nats.connector.js';
import { NatsDeadLetters } from './jetstream/nats-dead-letters.js';
import { NatsDurableSubscriber } from './jetstream/nats-durable.subscriber.js';
import { NatsStreamPublisher } from './jetstream/nats-stream.publisher.js';
import { resolveNatsSettings, type NatsSettings } from './nats-settings.js';
import type { NatsTransportOptions } from './nats-transport-options.interface.js';
import { NatsLivenessChannel } from './liveness/nats-liveness.channel.js';
import { NatsPresenceChannel } from './presence/nats-presence.channel.js';
import { NatsRequestClient } from './request/nats-request.client.js';
import { NatsResponder } from './request/nats.responder.js';
import { ReplyInbox } from './request/reply-inbox.js';
import { Subjects } from './subjects.js';
import { SubscriptionRegistry } from './subscription.registry.js';

/** nats.js's own reply prefix, when the connection options name none. */
const DEFAULT_INBOX_PREFIX = '_INBOX';

/** The parts that work over an open session, built once it is. */
interface NatsParts {
  readonly session: NatsSession;
  readonly requests: NatsRequestClient;
  readonly responder: NatsResponder;
  readonly broadcast: NatsBroadcastSubscriber;
  readonly durables: NatsDurableSubscriber;
  readonly publisher: NatsStreamPublisher;
  readonly deadLetters: NatsDeadLetters;
}

/**
 * Catga over NATS: requests on `<prefix>.req.<type>` served by queue groups (one replica per
 * request), events on JetStream with a durable consumer per handler group, dead letters on
 * their own stream. See docs/PROTOCOL.md.
 */
export class NatsTransport implements Transport, HealthReporting {
  readonly name = 'nats';
  readonly subjects: Subjects;
  readonly presence: PresenceChannel;
  readonly liveness: LivenessChannel;
  private readonly settings: NatsSettings;
  private readonly logger = new Logger('CatgaNats');
  private readonly inFlight = new InFlight();
  private readonly subscriptions = new SubscriptionRegistry();
  private readonly connector: NatsConnector;
  private parts: Promise<NatsParts> | undefined;
  private observer: TransportSignals | undefined;
  // Parts built before observe() is called still report to whatever it is given.
  private readonly signals: TransportSignals = { emit: (kind, signal) => this.observer?.emit(kind, signal) };
  private accepting = true;

  constructor(options: NatsTransportOptions) {
    this.settings = resolveNatsSettings(options);
    this.subjects = new Subjects(this.settings.subjectPrefix, this.settings.stream.name);
    this.connector = new NatsConnector(this.settings, this.subjects, this.name, this.signals, this.logger);
    const connection = async () => (await this.ready()).session.nc;
    this.presence = new NatsPresenceChannel(connection, this.subjects.presence(), this.subscriptions);
    this.liveness = new NatsLivenessChannel(connection, this.subjects);
  }

  /** The live connection (health checks, tests). */
  get connection(): NatsConnection {
    return this.connector.connection;
  }

  /** Connected, round trip within a second, and JetStream answering. */
  health(): Promise<HealthReport> {
    return this.connector.health();
  }

  observe(signals: TransportSignals): void {
    this.observer = signals;
  }

  async start(): Promise<void> {
    await this.open();
  }

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    return (await this.ready()).responder.serve(type, handler, options);
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    return (await this.ready()).requests.request(envelope, options);
  }

  async publish(envelope: Envelope): Promise<void> {
    const { publisher } = await this.ready();
    const wire = encodeEnvelope(envelope, this.settings.maxPayloadBytes);
    await publisher.publish(this.subjects.event(envelope.type), wire.body, wire.headers, envelope.id);
  }

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    const parts = await this.ready();
    if (options.mode === 'broadcast') return parts.broadcast.subscribe(type, handler);
    return parts.durables.subscribe(type, handler, options);
  }

  async subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    return (await this.ready()).deadLetters.subscribe(handler);
  }

  /** The dead-letter stream, by sequence. */
  readonly deadLetterArchive: DeadLetterArchive = {
    list: async (query) => (await this.ready()).deadLetters.list(query),
    get: async (id) => (await this.ready()).deadLetters.get(id),
    remove: async (id) => (await this.ready()).deadLetters.remove(id),
  };

  async drain(): Promise<void> {
    this.accepting = false;
    await this.subscriptions.closeAll();
    await this.inFlight.settled();
  }

  async close(): Promise<void> {
    if (this.connector.isClosed) return;
    await this.drain();
    await this.connector.close();
  }

  private open(): Promise<NatsParts> {
    this.parts ??= this.connector.open().then(
      (session) => this.assemble(session),
      (error: unknown) => {
        // A failed start leaves nothing behind, so the next call tries again.
        this.parts = undefined;
        throw error;
      },
    );
    return this.parts;
  }

  private async ready(): Promise<NatsParts> {
    if (this.connector.isClosed) throw new TransportUnavailableError('The NATS transport is closed');
    return this.open();
  }

  private assemble(session: NatsSession): NatsParts {
    const { nc, js } = session;
    const { maxPayloadBytes, publishTimeoutMs } = this.settings;
    // One reply subscription for the connection's requests and stream publishes.
    const inbox = new ReplyInbox(nc, this.settings.connection.inboxPrefix ?? DEFAULT_INBOX_PREFIX);
    const publisher = new NatsStreamPublisher(inbox, publishTimeoutMs);
    const deadLetters = new NatsDeadLetters(js, session.jsm, publisher, this.subjects, this.signals, this.logger);
    return {
      session,
      requests: new NatsRequestClient(this.subjects, this.settings, inbox),
      responder: new NatsResponder(nc, this.subjects, maxPayloadBytes, this.inFlight, this.subscriptions, this.logger),
      broadcast: new NatsBroadcastSubscriber(
        nc,
        this.subjects,
        maxPayloadBytes,
        this.inFlight,
        this.subscriptions,
        () => this.accepting,
        this.logger,
      ),
      durables: new NatsDurableSubscriber(session, this.subjects, this.settings, deadLetters, this.inFlight, this.subscriptions),
      publisher,
      deadLetters,
    };
  }
}
