import type { ClusterOptions } from '../cluster/cluster-member.js';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { FailoverSettings } from '../liveness/peer-liveness.js';
import type { OutboxPublisherOptions } from '../outbox/outbox.publisher.js';
import type { SagaOptions } from '../saga/saga-options.interface.js';
import type { CircuitBreakerBehaviorOptions } from '../pipeline/behaviors/circuit-breaker.behavior.js';
import type { IdempotencyBehaviorOptions } from '../pipeline/behaviors/idempotency.behavior.js';
import type { RetryBehaviorOptions } from '../pipeline/behaviors/retry.behavior.js';
import type { OrderedBehavior, PipelineBehavior } from '../pipeline/pipeline-behavior.interface.js';
import type { EventStreamStore } from '../stores/event-stream/event-stream-store.interface.js';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import type { OutboxStore } from '../stores/outbox/outbox-store.interface.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import type { Transport } from '../transport/transport.interface.js';

/** Built-in behaviors: each can be switched off, or tuned with its options. */
export interface PipelineOptions {
  logging?: boolean;
  validation?: boolean;
  idempotency?: boolean | IdempotencyBehaviorOptions;
  /** Time limit per handling in ms, or `false`. Default 30000. */
  timeout?: false | number | { timeoutMs?: number; perType?: Record<string, number> };
  retry?: false | RetryBehaviorOptions;
  circuitBreaker?: false | CircuitBreakerBehaviorOptions;
}

export interface CatgaStores {
  idempotency?: IdempotencyStore;
  saga?: SagaStore;
  outbox?: OutboxStore;
  eventStream?: EventStreamStore;
}

/** What a transport factory is told about the instance it serves. */
export interface TransportContext {
  serviceName: string;
  instanceId: string;
}

export type TransportFactory = (context: TransportContext) => Transport | Promise<Transport>;

export interface CatgaModuleOptions {
  /** Logical service: the queue group and consumer owner. Default `CATGA_SERVICE_NAME`, else `catga`. */
  serviceName?: string;
  /** This replica's id, in logs and metrics. Default `CATGA_INSTANCE_ID`, else hostname + pid. */
  instanceId?: string;
  /**
   * A transport, or a factory given the service name and instance id. Default: NATS when
   * `CATGA_NATS_URL` is set (needs `@catga/nats` installed), else the in-memory transport.
   */
  transport?: Transport | TransportFactory;
  /**
   * Defaults: Redis when `CATGA_REDIS_URL` is set (needs `@catga/redis` installed), else in-memory.
   * A `close` beside the stores is called at shutdown, after the transport closed: stores that
   * opened their own connection (`redisStores(url)`) close it there.
   */
  stores?: CatgaStores & { close?(): Promise<void> };
  /** `'minimal'` runs handlers with no built-in behavior but the outbox. Default: all built-ins on. */
  pipeline?: PipelineOptions | 'minimal';
  /** Your behaviors: `@Behavior()` classes (injected), or instances with their order. */
  behaviors?: Array<Type<PipelineBehavior> | OrderedBehavior>;
  /** Run a handler hosted in this process without the transport. Default true. */
  preferLocal?: boolean;
  /** How long a caller waits for a remote reply, in ms. Default 30000. */
  requestTimeoutMs?: number;
  /** How long shutdown waits for handlings in progress, in ms. Default 25000. */
  shutdownTimeoutMs?: number;
  outbox?: OutboxPublisherOptions;
  saga?: SagaOptions;
  /**
   * Taking over what a dead, frozen or cut-off instance held (idempotency claims, saga leases) as
   * soon as the transport tells it is down, instead of when the claim or lease expires. `false`
   * (or `CATGA_FAILOVER=timeouts`) leaves only the expiries. Default on.
   */
  failover?: false | Partial<FailoverSettings>;
  /** Membership: each instance announces itself on the transport's presence channel. `false` turns it off. */
  cluster?: ClusterOptions | false;
}

export interface CatgaOptionsFactory {
  createCatgaOptions(): Promise<CatgaModuleOptions> | CatgaModuleOptions;
}

export interface CatgaModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => Promise<CatgaModuleOptions> | CatgaModuleOptions;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useClass?: Type<CatgaOptionsFactory>;
  useExisting?: Type<CatgaOptionsFactory>;
  /** Behavior classes to provide; they cannot come from a factory since they need injection. */
  behaviors?: Array<Type<PipelineBehavior>>;
}

export interface CatgaFeatureOptions {
  /** Behavior classes this feature module adds to the pipeline. */
  behaviors?: Array<Type<PipelineBehavior>>;
}
