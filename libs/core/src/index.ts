// @catga/core: what an application imports. Adapter authors: @catga/core/transport; tests:
// @catga/core/testing and @catga/core/conformance.
export { CatgaModule } from './module/catga.module.js';
export type {
  CatgaFeatureOptions,
  CatgaModuleAsyncOptions,
  CatgaModuleOptions,
  CatgaOptionsFactory,
  CatgaStores,
  PipelineOptions,
  TransportContext,
  TransportFactory,
} from './module/catga-options.interface.js';
export type { CatgaSettings, PipelineSettings } from './module/catga-settings.js';
export {
  CATGA_EVENT_STREAM_STORE,
  CATGA_IDEMPOTENCY_STORE,
  CATGA_OUTBOX_STORE,
  CATGA_SAGA_STORE,
  CATGA_SETTINGS,
  CATGA_TRANSPORT,
} from './tokens/catga.tokens.js';
export { CatgaLifecycle } from './lifecycle/catga-lifecycle.js';

export { Broadcast } from './handlers/broadcast.decorator.js';
export { CatgaMediator } from './mediator/catga.mediator.js';
export type { PublishOptions, SendOptions } from './mediator/send-options.js';
export {
  CatgaEndpoints,
  type EndpointHandling,
  type EndpointSendOptions,
  type EventEndpoint,
  type RequestEndpoint,
} from './module/catga-endpoints.js';

export {
  MessageType,
  messageTypeOf,
  messageClassOf,
  type MessageClass,
  type MessageTypeOptions,
} from './messages/message-type.decorator.js';
export type { MessageKind } from './messages/message-kind.js';
export type { Envelope } from './envelope/envelope.js';
export { newMessageId } from './envelope/message-id.js';
export { assertJsonWithinLimits, MAX_ARRAY_LENGTH, MAX_BODY_DEPTH, MAX_STRING_LENGTH, type JsonLimits } from './wire/json-limits.js';
export { currentMessageContext, type MessageContext } from './context/message-context.js';
export { holdWrite, HeldWritesUnavailableError } from './context/held-writes.js';

export { CatgaError, type CatgaErrorOptions } from './errors/catga.error.js';
export { ErrorCode, registerErrors, type ErrorCodeOptions } from './errors/error-code.decorator.js';
export {
  CircuitOpenError,
  ClaimLostError,
  ConcurrencyConflictError,
  HandlerFailedError,
  HandlerNotFoundError,
  MalformedMessageError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ShuttingDownError,
  StoreUnavailableError,
  TimeoutError,
  TransportUnavailableError,
  ValidationFailedError,
  type ValidationIssue,
} from './errors/catga-errors.js';
export {
  deserializeError,
  errorCodeOf,
  isRetryable,
  serializeError,
  toCatgaError,
  type SerializedError,
} from './errors/error.serializer.js';
export { CatgaExceptionFilter, httpStatusOf } from './errors/catga-exception.filter.js';
export { decodeStoredValue, encodeStoredValue } from './wire/value.codec.js';

export { Behavior, type BehaviorOptions } from './pipeline/behavior.decorator.js';
export { BehaviorOrder, type OrderedBehavior, type PipelineBehavior } from './pipeline/pipeline-behavior.interface.js';
export { retryAttemptOf, type RetryBehaviorOptions } from './pipeline/behaviors/retry.behavior.js';
export { wasReplayed, type IdempotencyBehaviorOptions } from './pipeline/behaviors/idempotency.behavior.js';
export type { CircuitBreakerBehaviorOptions } from './pipeline/behaviors/circuit-breaker.behavior.js';
export type { OutboxPublisherOptions } from './outbox/outbox.publisher.js';

export type { Transport } from './transport/transport.interface.js';
export type { ClaimResult, IdempotencyOutcome, IdempotencyStore } from './stores/idempotency/idempotency-store.interface.js';
export { DEFAULT_SAGA_LIST_LIMIT, type SagaQuery, type SagaStore } from './stores/saga/saga-store.interface.js';
export type { FailoverSettings } from './liveness/peer-liveness.js';
export { ownersDown } from './stores/saga/owners-down.js';
export {
  TERMINAL_SAGA_STATUSES,
  type SagaLease,
  type SagaState,
  type SagaStatus,
  type SagaStepState,
  type SagaStepStatus,
} from './stores/saga/saga-state.js';
export type { OutboxEntry, OutboxStore, ParkedOutboxEntry } from './stores/outbox/outbox-store.interface.js';
export type { EventStreamStore, NewStreamEvent, StoredStreamEvent } from './stores/event-stream/event-stream-store.interface.js';

export {
  SagaDefinition,
  SagaWorkflow,
  type SagaClass,
  type SagaStep,
  type SagaStepOptions,
  type StepResults,
} from './saga/saga-definition.js';
export { SagaOrchestrator } from './saga/saga.orchestrator.js';
export type { SagaOptions } from './saga/saga-options.interface.js';
export { SagaDeadlineExceededError, SagaLeaseLostError, SagaNotFoundError, SagaStateConflictError } from './saga/saga-errors.js';

export { CatgaCluster } from './cluster/catga-cluster.js';
export {
  CatgaOperations,
  DEFAULT_SELECTION_LIMIT,
  type ClusterSnapshot,
  type DeadLetterDetail,
  type DeadLetterEntry,
  type DeadLetterSelection,
  type RedriveOptions,
  type RedriveOutcome,
  type RedriveResult,
} from './operations/catga-operations.js';
export { DeadLetterNotFoundError, OperationNotSupportedError } from './operations/operation-errors.js';
export { REDRIVE_TYPE_PREFIX, redriveType, type RedriveRequest } from './operations/dead-letter-redrive.js';
export type { ArchivedDeadLetter, DeadLetterQuery } from './transport/transport.interface.js';
export type { ClusterEvent, ClusterEventKind, ClusterMember, ClusterOptions, InstanceAnnouncement } from './cluster/cluster-member.js';
export type { ClusterTopology, TopologyEdge, TopologyNode } from './cluster/cluster-topology.js';
export type { ClusterTraffic, ServiceSeries, TypeSeries } from './cluster/traffic-history.js';
export type { SagaTraffic, TrafficRole, TrafficWindow, TypeTraffic } from './traffic/traffic-window.js';
