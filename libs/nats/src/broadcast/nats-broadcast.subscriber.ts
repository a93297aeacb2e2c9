import { decodeEnvelope, type EventHandler, type InFlight, type TransportSubscription } from '@catga/core/transport';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import type { Subjects } from '../subjects.js';
import type { SubscriptionRegistry } from '../subscription.registry.js';
import { fromNatsHeaders } from '../wire/nats-headers.js';

/** Broadcast events over core NATS: every subscriber receives each one, nothing is stored or redelivered. */
export class NatsBroadcastSubscriber {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly maxPayloadBytes: number,
    private readonly inFlight: InFlight,
    private readonly subscriptions: SubscriptionRegistry,
    private readonly accepting: () => boolean,
    private readonly logger: Logger,
  ) {}

  async subscribe(type: string, handler: EventHandler): Promise<TransportSubscription> {
    const sub = this.nc.subscribe(this.subjects.event(type), {
      callback: (error, msg) => {
        if (error || !this.accepting()) return;
        this.inFlight.track(this.deliver(msg, type, handler));
      },
    });
    await this.nc.flush();
    return this.subscriptions.own(sub);
  }

  private async deliver(msg: Msg, type: string, handler: EventHandler): Promise<void> {
    try {
      const envelope = decodeEnvelope(fromNatsHeaders(msg), msg.data, {
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
}
