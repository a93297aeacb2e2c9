import type { PresenceChannel, TransportSubscription } from '@catga/core/transport';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SubscriptionRegistry } from '../subscription.registry.js';

/** Instance announcements on `<prefix>.presence` over core NATS: every instance hears them, none is stored. */
export class NatsPresenceChannel implements PresenceChannel {
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
      callback: (error, msg) => {
        if (!error) handler(msg.data);
      },
    });
    await nc.flush();
    return this.subscriptions.own(sub);
  }
}
