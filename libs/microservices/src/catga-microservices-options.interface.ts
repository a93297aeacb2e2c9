// The options of @catga/microservices: the strategy's, the client's and a handler's (in Nest's extras).
export interface CatgaServerOptions {
  /** Deliveries before an event goes to the dead letters, for every `@EventPattern` without its own. Default: the transport's. */
  maxDeliveries?: number;
}

export interface CatgaClientOptions {
  /**
   * How long `send` waits for the reply, in ms; within it a request that finds no replica, or
   * whose replica goes silent, is sent again with the same message id. Default: `CatgaModule`'s
   * `requestTimeoutMs` (30 s).
   */
  timeoutMs?: number;
  /** Headers added to every request and event; a packet's `metadata` (set by `setOnDispatchHook`) is added over them. */
  headers?: Record<string, string>;
}

/**
 * What a handler's decorator tells the Catga strategy, under `catga` in Nest's extras:
 * `@MessagePattern('prices.get', { catga: { kind: 'query' } })`,
 * `@EventPattern('cache.flush', { catga: { broadcast: true } })`.
 */
export interface CatgaPatternOptions {
  /** `@MessagePattern` only. `command` (default): the outcome is kept per message id; `query`: not. */
  kind?: 'command' | 'query';
  /** `@EventPattern` only: every instance receives the event (no durability, no redelivery) instead of one per service. */
  broadcast?: boolean;
  /** `@EventPattern` only: deliveries before the event goes to the dead letters. Default: the server's, else the transport's. */
  maxDeliveries?: number;
}

export interface CatgaPatternExtras {
  catga?: CatgaPatternOptions;
}
