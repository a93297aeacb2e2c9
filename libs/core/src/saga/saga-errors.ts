import { CatgaError } from '../errors/catga.error.js';
import { ErrorCode } from '../errors/error-code.decorator.js';

/** Another instance holds the saga's lease, or took it over: this one stops driving it. */
@ErrorCode('SAGA_LEASE_LOST', { retryable: true })
export class SagaLeaseLostError extends CatgaError {}

/** A step or the saga ran past its time. */
@ErrorCode('SAGA_DEADLINE_EXCEEDED', { retryable: false })
export class SagaDeadlineExceededError extends CatgaError {}

/** The instance began draining while a step was waiting out an infrastructure failure: another instance resumes it. */
export class SagaHandedOffError extends Error {}

/** No saga has the id, or this instance does not know its definition. */
@ErrorCode('SAGA_NOT_FOUND', { retryable: false, httpStatus: 404 })
export class SagaNotFoundError extends CatgaError {}

/** The saga is not in a state the operation applies to (a retry of a saga that did not fail, an abort of one that ended). */
@ErrorCode('SAGA_STATE_CONFLICT', { retryable: false, httpStatus: 409 })
export class SagaStateConflictError extends CatgaError {}
