import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

/** Every name an entry point's declaration file exports, types included. */
function exportsOf(entry: string): string[] {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return checker.getExportsOfModule(symbol).map((s) => s.getName()).sort();
}

// A change here is a change to what users of that audience see: make it on purpose.
const SURFACE: Record<string, string[]> = {
  './index.d.ts': [
    'Behavior', 'BehaviorOptions', 'BehaviorOrder', 'Broadcast', 'CATGA_EVENT_STREAM_STORE', 'CATGA_IDEMPOTENCY_STORE', 'CATGA_OUTBOX_STORE',
    'CATGA_SAGA_STORE', 'CATGA_SETTINGS', 'CATGA_TRANSPORT', 'CatgaCluster', 'CatgaError', 'CatgaErrorOptions', 'CatgaFeatureOptions',
    'CatgaLifecycle', 'CatgaMediator', 'CatgaModule', 'CatgaModuleAsyncOptions', 'CatgaModuleOptions', 'CatgaOptionsFactory', 'CatgaSettings',
    'CatgaStores', 'CircuitBreakerBehaviorOptions', 'CircuitOpenError', 'ClaimResult', 'ClusterEvent', 'ClusterEventKind', 'ClusterMember',
    'ClusterOptions', 'ConcurrencyConflictError', 'Envelope', 'ErrorCode', 'EventStreamStore', 'HandlerFailedError', 'HandlerNotFoundError',
    'HeldWritesUnavailableError', 'IdempotencyBehaviorOptions', 'IdempotencyOutcome', 'IdempotencyStore', 'InstanceAnnouncement',
    'MalformedMessageError', 'MessageClass', 'MessageContext', 'MessageKind', 'MessageType', 'MessageTypeOptions', 'NewStreamEvent',
    'OrderedBehavior', 'OutboxEntry', 'OutboxPublisherOptions', 'OutboxStore', 'PayloadTooLargeError', 'PipelineBehavior', 'PipelineOptions',
    'PipelineSettings', 'PublishOptions', 'RetryBehaviorOptions', 'SagaClass', 'SagaDeadlineExceededError', 'SagaDefinition', 'SagaLease',
    'SagaLeaseLostError', 'SagaOptions', 'SagaOrchestrator', 'SagaState', 'SagaStatus', 'SagaStep', 'SagaStepOptions', 'SagaStepState',
    'SagaStepStatus', 'SagaStore', 'SagaWorkflow', 'SendOptions', 'SerializedError', 'ShuttingDownError', 'StepResults', 'StoreUnavailableError',
    'StoredStreamEvent', 'TERMINAL_SAGA_STATUSES', 'TimeoutError', 'Transport', 'TransportContext', 'TransportFactory',
    'TransportUnavailableError', 'ValidationFailedError', 'ValidationIssue', 'currentMessageContext', 'deserializeError', 'holdWrite',
    'messageClassOf', 'messageTypeOf', 'newMessageId', 'retryAttemptOf', 'serializeError', 'toCatgaError', 'wasReplayed',
  ],
  './transport/index.d.ts': [
    'Backoff', 'CatgaSignalMap', 'CatgaSignals', 'CircuitStateName', 'DeadLetter', 'DeadLetterFacts', 'DeadLetterRecord', 'DecodeOptions',
    'Delivery', 'EnvelopeEnricher', 'EventHandler', 'HealthReport', 'HealthReporting', 'InFlight', 'JSON_CONTENT_TYPE',
    'MAX_REDELIVERY_DELAY_MS', 'Operation', 'OperationWrapper', 'PresenceChannel', 'Reply', 'RequestHandler', 'RequestOptions',
    'RetryableAttempt', 'ServeOptions', 'SubscribeOptions', 'SubscriptionMode', 'Transport', 'TransportSignals', 'TransportSubscription',
    'WireHeader', 'WireMessage', 'backoffDelay', 'deadLetterRecord', 'decodeEnvelope', 'decodeReply', 'encodeEnvelope', 'encodeReply',
    'encodeReplyWithin', 'isReservedHeader', 'pollWithBackoff', 'readDeadLetter', 'redeliveryDelay', 'reportDeadLetter', 'reportsHealth',
    'retryUntilDeadline', 'sleep', 'withTimeout',
  ],
  './testing/index.d.ts': [
    'InMemoryBroker', 'InMemoryEventStreamStore', 'InMemoryIdempotencyStore', 'InMemoryIdempotencyStoreOptions', 'InMemoryOutboxStore',
    'InMemorySagaStore', 'InMemoryTransport', 'InMemoryTransportOptions', 'SagaHarness', 'SagaHarnessRun',
  ],
  './conformance/index.d.ts': [
    'StoreHarness', 'TransportConformanceOptions', 'TransportHarness', 'eventStreamStoreConformance', 'eventually',
    'idempotencyStoreConformance', 'outboxStoreConformance', 'sagaStoreConformance', 'transportConformance', 'uniqueSuffix',
  ],
};

describe('public surface', () => {
  for (const [entry, expected] of Object.entries(SURFACE)) {
    it(`@catga/core${entry === './index.d.ts' ? '' : '/' + entry.split('/')[1]} exports exactly its listed names`, () => {
      assert.deepEqual(exportsOf(entry), [...expected].sort());
    });
  }
});
