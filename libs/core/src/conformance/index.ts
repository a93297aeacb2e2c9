export { transportConformance, type TransportConformanceOptions, type TransportHarness } from './transport.conformance.js';
export { idempotencyStoreConformance, type StoreHarness } from './idempotency-store.conformance.js';
export { sagaStoreConformance } from './saga-store.conformance.js';
export { outboxStoreConformance } from './outbox-store.conformance.js';
export { eventStreamStoreConformance } from './event-stream-store.conformance.js';
export { eventually, uniqueSuffix } from './eventually.js';
export { assertDocumentedDefaults, documentedOptions, flattenSettings, type DocumentedOption } from './documented-defaults.js';
export {
  cqrsCompatibilityConformance,
  type CqrsCompatibilityHarness,
  type CqrsCompatibilityOptions,
} from './cqrs-compatibility.conformance.js';
