import type { TransportSubscription } from '@catga/core/transport';
import type { Subscription } from '@nats-io/transport-node';
import type { DurableSubscription } from './jetstream/durable.subscription.js';

/** The subscriptions the transport has open, so `drain()` can close every one of them. */
export class SubscriptionRegistry {
  private readonly core = new Set<Subscription>();
  private readonly durables = new Set<DurableSubscription>();

  /** A core NATS subscription (requests, broadcast, presence); unsubscribing drains it. */
  own(sub: Subscription): TransportSubscription {
    this.core.add(sub);
    return {
      unsubscribe: async () => {
        this.core.delete(sub);
        await sub.drain().catch(() => undefined);
      },
    };
  }

  ownDurable(durable: DurableSubscription): TransportSubscription {
    this.durables.add(durable);
    return {
      unsubscribe: async () => {
        this.durables.delete(durable);
        await durable.stop();
      },
    };
  }

  /** Drains the core subscriptions (what they hold is handled), then stops the durable consumers. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.core].map((s) => s.drain()));
    this.core.clear();
    await Promise.allSettled([...this.durables].map((d) => d.stop()));
    this.durables.clear();
  }
}
