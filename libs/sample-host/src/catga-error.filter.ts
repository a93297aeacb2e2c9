import { CatgaError } from '@catga/core';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_MESSAGE: 400,
  HANDLER_NOT_FOUND: 503,
  TRANSPORT_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  CIRCUIT_OPEN: 503,
  SHUTTING_DOWN: 503,
  TIMEOUT: 504,
  CONCURRENCY_CONFLICT: 409,
  // The deployment's permissions are wrong, not the request.
  PERMISSION_DENIED: 500,
  PAYLOAD_TOO_LARGE: 413,
};

/** HTTP status for a Catga error code: `*_NOT_FOUND` is 404, other business errors 422. */
export function httpStatusOf(error: CatgaError): number {
  const mapped = STATUS_BY_CODE[error.code];
  if (mapped) return mapped;
  if (error.code.endsWith('_NOT_FOUND')) return 404;
  if (error.code === 'HANDLER_FAILED') return 500;
  return error.retryable ? 503 : 422;
}

/** Turns Catga errors into JSON responses with the code, so HTTP clients see typed failures. */
@Catch(CatgaError)
export class CatgaErrorFilter implements ExceptionFilter {
  catch(error: CatgaError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = httpStatusOf(error);
    response.status(status).json({
      statusCode: status,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      messageId: error.messageId,
      details: error.details,
    });
  }
}
