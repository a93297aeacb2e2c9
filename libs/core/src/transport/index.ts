// @catga/core/transport: what a transport adapter is built from (the interface, the wire codec,
// the kit every adapter composes, and the timing helpers).
export type {
  ArchivedDeadLetter,
  DeadLetter,
  DeadLetterArchive,
  DeadLetterQuery,
  Delivery,
  EventHandler,
  Liveness,
  LivenessChannel,
  PresenceChannel,
  Reply,
  RequestHandler,
  RequestOptions,
  ServeOptions,
  SubscribeOptions,
  SubscriptionMode,
  Transport,
  TransportSignals,
  TransportSubscription,
} from './transport.interface.js';
export { reportsHealth, type HealthReport, type HealthReporting } from './health-report.js';
export {
  CatgaSignals,
  type CatgaSignalMap,
  type CircuitStateName,
  type Operation,
  type OperationWrapper,
} from '../signals/catga-signals.js';
export type { EnvelopeEnricher } from '../envelope/envelope-enrichers.js';
export { isValidMessageId } from '../envelope/message-id.js';

export { parseOwnerAddress, type OwnerAddress } from '../liveness/owner-address.js';

export { InFlight } from './kit/in-flight.js';
export { MAX_REDELIVERY_DELAY_MS, redeliveryDelay } from './kit/redelivery.js';
export {
  archivedDeadLetter,
  DEFAULT_DEAD_LETTER_LIST_LIMIT,
  deadLetterRecord,
  matchesDeadLetterQuery,
  originalHeadersOf,
  readDeadLetter,
  reportDeadLetter,
  type DeadLetterFacts,
  type DeadLetterRecord,
} from './kit/dead-letter-record.js';

export { WireHeader, JSON_CONTENT_TYPE, isReservedHeader } from '../wire/wire-headers.js';
export { decodeEnvelope, encodeEnvelope, type DecodeOptions, type WireMessage } from '../wire/envelope.codec.js';
export { decodeReply, encodeReply, encodeReplyWithin } from '../wire/reply.codec.js';

export { backoffDelay, pollWithBackoff, type Backoff } from '../timing/backoff.js';
export { retryUntilDeadline, RetryableAttempt } from '../timing/retry-until-deadline.js';
export { sleep } from '../timing/sleep.js';
export { withTimeout } from '../timing/with-timeout.js';
