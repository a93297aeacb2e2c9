import type { PresenceChannel, TransportSubscription } from '@catga/core/transport';
import type { NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import type { SubscriptionRegistry } from '../subscription.registry.js';

/** Instance announcements on `<prefix>.presence` over core NATS: every instance hears them, none is stored. */
export class NatsPresenceChannel implements PresenceChannel {
  private readonly logger = new Logger('CatgaNats');

  constructor(
    private readonly connection: () => Promise<NatsConnection>,
    private readonly subject: string,
    private readonly subscriptions: SubscriptionRegistry,
  ) {}

  async announce(body: Uint8Array): Promise<void> {
    const nc = await this.connection();
    nc.publish(this.subject, body);
  }

  async listen(handler: (body: Uint8Array) => void): Promise<TransportSubscription> {
    const nc = await this.connection();
    const sub = nc.subscribe(this.subject, {
      // nats.js stops reading the connection when a callback throws: a bad announcement must not.
      callback: (error, msg) => {
        if (error) return;
        try {
          handler(msg.data);
        } catch (failure) {
          this.logger.warn(`Presence handler failed: ${String(failure)}`);
        }
      },
    });
    await nc.flush();
    return this.subscriptions.own(sub);
  }
}
