import { CatgaError, type CatgaErrorOptions } from './catga.error.js';
import { ErrorCode } from './error-code.decorator.js';

/** No handler for the message type is registered anywhere reachable. */
@ErrorCode('HANDLER_NOT_FOUND', { retryable: false, httpStatus: 503 })
export class HandlerNotFoundError extends CatgaError {
  constructor(
    readonly messageType: string,
    options: CatgaErrorOptions = {},
  ) {
    super(`No handler for message type "${messageType}"`, { ...options, details: { messageType } });
  }
}

export interface ValidationIssue {
  property: string;
  constraints: Record<string, string>;
}

/** The message body failed validation; `details` lists each property and its failed constraints. */
@ErrorCode('VALIDATION_FAILED', { retryable: false, httpStatus: 400 })
export class ValidationFailedError extends CatgaError {
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
    options: CatgaErrorOptions = {},
  ) {
    super(message, { ...options, details: issues });
  }
}

/** The handler did not finish within its time limit. Its effect may still happen; retry with the same id. */
@ErrorCode('TIMEOUT', { retryable: true, httpStatus: 504 })
export class TimeoutError extends CatgaError {}

/** The circuit for this message type is open after repeated failures; try later. */
@ErrorCode('CIRCUIT_OPEN', { retryable: true, httpStatus: 503 })
export class CircuitOpenError extends CatgaError {}

/** A handler threw something that is not a `CatgaError`; the original name and message are kept. */
@ErrorCode('HANDLER_FAILED', { retryable: false, httpStatus: 500 })
export class HandlerFailedError extends CatgaError {}

/** The transport could not deliver the message (unreachable server, no responders, closed connection). */
@ErrorCode('TRANSPORT_UNAVAILABLE', { retryable: true, httpStatus: 503 })
export class TransportUnavailableError extends CatgaError {}

/**
 * The broker refused this instance the subject: its credentials do not allow sending there (a
 * NATS permission). Retrying changes nothing until an operator changes the permissions.
 */
@ErrorCode('PERMISSION_DENIED', { retryable: false, httpStatus: 500 })
export class PermissionDeniedError extends CatgaError {}

/**
 * This handling lost its claim on the message id before it could store its outcome: it ran past
 * the claim's life (frozen, cut off) and another instance took the message over. Nothing it held
 * (outcome, held writes, events) was applied; the message's outcome is the other handling's, which
 * a retry with the same id receives.
 */
@ErrorCode('CLAIM_LOST', { retryable: true, httpStatus: 503 })
export class ClaimLostError extends CatgaError {}

/** A store (idempotency, saga, outbox, event stream) could not be reached. */
@ErrorCode('STORE_UNAVAILABLE', { retryable: true, httpStatus: 503 })
export class StoreUnavailableError extends CatgaError {}

/** The instance is draining for shutdown and takes no new messages. */
@ErrorCode('SHUTTING_DOWN', { retryable: true, httpStatus: 503 })
export class ShuttingDownError extends CatgaError {}

/** An append or update lost an optimistic-concurrency race (expected version did not match). */
@ErrorCode('CONCURRENCY_CONFLICT', { retryable: true, httpStatus: 409 })
export class ConcurrencyConflictError extends CatgaError {}

/** A message could not be decoded, or its type is unknown to this instance. */
@ErrorCode('MALFORMED_MESSAGE', { retryable: false, httpStatus: 400 })
export class MalformedMessageError extends CatgaError {}

/** A message body is larger than the configured limit; it was not sent or not handled. */
@ErrorCode('PAYLOAD_TOO_LARGE', { retryable: false, httpStatus: 413 })
export class PayloadTooLargeError extends CatgaError {}
