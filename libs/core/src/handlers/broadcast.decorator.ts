const BROADCAST = Symbol.for('catga.broadcast');

/**
 * Marks an `@EventsHandler` class to receive events on every instance (core NATS, no durability,
 * no redelivery) instead of once per service: for cache invalidation and the like.
 */
export function Broadcast(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(BROADCAST, true, target);
  };
}

export function isBroadcast(target: object): boolean {
  return Reflect.getMetadata(BROADCAST, target) === true;
}
