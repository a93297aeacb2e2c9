/**
 * What one service does on the bus: the input from which its NATS permissions are derived.
 * Types are message type names (`@MessageType('orders.place-order')`).
 */
export interface BusAccess {
  /** Commands and queries its handlers answer (it subscribes to their request subjects). */
  readonly serves?: readonly string[];
  /** Commands and queries it sends to other services, or to itself (saga steps included). */
  readonly sends?: readonly string[];
  /** Events it publishes, directly or through its outbox. */
  readonly publishes?: readonly string[];
  /** Events its handlers consume through durable consumers: the handler class name and the type. */
  readonly consumes?: ReadonlyArray<{ readonly handler: string; readonly type: string }>;
  /** Broadcast events every one of its instances receives (`@Broadcast()` handlers). */
  readonly broadcasts?: readonly string[];
  /** Whether it reads the dead-letter stream (`transport.subscribeDeadLetters`). */
  readonly readsDeadLetters?: boolean;
}
