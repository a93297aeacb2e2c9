import { Catch, Inject, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CatgaError } from './catga.error.js';
import { registrationOf } from './error-code.decorator.js';

/**
 * The HTTP status for a `CatgaError`: its class's `httpStatus` (`@ErrorCode`; the built-in errors
 * each have one: `VALIDATION_FAILED` 400, `HANDLER_NOT_FOUND` 503, `TIMEOUT` 504, `CIRCUIT_OPEN`
 * 503, …), else 503 for a retryable error and 422 for any other.
 */
export function httpStatusOf(error: CatgaError): number {
  return registrationOf(error.constructor)?.httpStatus ?? (error.retryable ? 503 : 422);
}

interface ExpressLikeResponse {
  status(code: number): { json(body: unknown): unknown };
}
interface FastifyLikeReply {
  code(code: number): { send(body: unknown): unknown };
}

/**
 * Answers an HTTP request whose handling failed with a `CatgaError` with the error's status
 * (`httpStatusOf`) and a JSON body `{ statusCode, code, message, retryable, messageId, details }`.
 * Anything else (an `HttpException`, remote or local, a user's error) is left to Nest's own
 * filters. Install with `app.useGlobalFilters(new CatgaExceptionFilter(app.get(HttpAdapterHost)))`
 * or as an `APP_FILTER` provider.
 */
@Catch(CatgaError)
export class CatgaExceptionFilter implements ExceptionFilter<CatgaError> {
  constructor(@Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost) {}

  catch(error: CatgaError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const status = httpStatusOf(error);
    const body = {
      statusCode: status,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      messageId: error.messageId,
      details: error.details,
    };
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      adapter.reply(response, body, status);
    } else if (typeof (response as Partial<ExpressLikeResponse>).status === 'function') {
      (response as ExpressLikeResponse).status(status).json(body);
    } else {
      (response as FastifyLikeReply).code(status).send(body);
    }
  }
}
