import type { EventHandler, InFlight, SubscribeOptions, TransportSubscription } from '@catga/core/transport';
import type { NatsSession } from '../connection/nats.connector.js';
import type { NatsSettings } from '../nats-settings.js';
import type { Subjects } from '../subjects.js';
import type { SubscriptionRegistry } from '../subscription.registry.js';
import { DurableSubscription } from './durable.subscription.js';
import type { NatsDeadLetters } from './nats-dead-letters.js';

/** Durable events: one JetStream consumer per handler group and type, its failures dead-lettered. */
export class NatsDurableSubscriber {
  constructor(
    private readonly session: NatsSession,
    private readonly subjects: Subjects,
    private readonly settings: Pick<NatsSettings, 'consumer' | 'maxPayloadBytes'>,
    private readonly deadLetters: NatsDeadLetters,
    private readonly inFlight: InFlight,
    private readonly subscriptions: SubscriptionRegistry,
  ) {}

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    const { consumer, maxPayloadBytes } = this.settings;
    const group = options.group;
    const durable = new DurableSubscription(
      this.session.js,
      this.session.jsm,
      {
        ...consumer,
        maxDeliveries: options.maxDeliveries ?? consumer.maxDeliveries,
        stream: this.subjects.eventStream(),
        consumer: this.subjects.consumer(group, type),
        filterSubject: this.subjects.event(type),
        type,
        group,
        maxPayloadBytes,
      },
      handler,
      (msg, error, deliveries) => this.deadLetters.write(msg, { type, group, deliveries, error }),
      this.inFlight,
      this.session.writes,
    );
    await durable.start();
    return this.subscriptions.ownDurable(durable);
  }
}
