import { CatgaError } from '../errors/catga.error.js';
import { ErrorCode } from '../errors/error-code.decorator.js';

/** No dead letter has the id (it was sent back or purged already, or never was). */
@ErrorCode('DEAD_LETTER_NOT_FOUND', { retryable: false, httpStatus: 404 })
export class DeadLetterNotFoundError extends CatgaError {}

/** The transport cannot do what was asked (it keeps no dead letters to list). */
@ErrorCode('NOT_SUPPORTED', { retryable: false, httpStatus: 501 })
export class OperationNotSupportedError extends CatgaError {}
