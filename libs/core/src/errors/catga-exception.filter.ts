import { Catch, Inject, Optional, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { CatgaError } from './catga.error.js';
import { HandlerFailedError } from './catga-errors.js';
import { registrationOf } from './error-code.decorator.js';
import { errorCodeOf, isRetryable } from './error.serializer.js';

/**
 * The HTTP status for a `CatgaError`: its class's `httpStatus` (`@ErrorCode`; the built-in errors
 * each have one: `VALIDATION_FAILED` 400, `HANDLER_NOT_FOUND` 503, `TIMEOUT` 504, `CIRCUIT_OPEN`
 * 503, …), else 503 for a retryable error and 422 for any other.
 */
export function httpStatusOf(error: CatgaError): number {
  return registrationOf(error.constructor)?.httpStatus ?? (error.retryable ? 503 : 422);
}

/**
 * The status the filter answers with: every `CatgaError`'s but `HANDLER_FAILED` (an error nobody
 * declared, from another process: Nest's default answer, as the same error thrown here gets, so
 * its message stays out of the response), and a user class's that `@ErrorCode` gave an `httpStatus`.
 */
function declaredStatus(error: unknown): number | undefined {
  if (error instanceof HandlerFailedError) return undefined;
  if (error instanceof CatgaError) return httpStatusOf(error);
  return error instanceof Error ? registrationOf(error.constructor)?.httpStatus : undefined;
}

interface ExpressLikeResponse {
  status(code: number): { json(body: unknown): unknown };
}
interface FastifyLikeReply {
  code(code: number): { send(body: unknown): unknown };
}

/**
 * Answers an HTTP request whose handling failed with a `CatgaError`, or with an error whose class
 * `@ErrorCode` gave an `httpStatus`, with that status and a JSON body `{ statusCode, code,
 * message, retryable, messageId, details }`. Everything else (an `HttpException`, remote or local,
 * an undeclared error, remote or local) gets exactly Nest's default answer. Install with
 * `app.useGlobalFilters(new CatgaExceptionFilter(app.get(HttpAdapterHost)))`, as an `APP_FILTER`
 * provider, or by class in `@UseFilters(CatgaExceptionFilter)`.
 */
@Catch()
export class CatgaExceptionFilter extends BaseExceptionFilter {
  constructor(@Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost) {
    super(adapterHost?.httpAdapter as HttpServer | undefined);
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const status = host.getType() === 'http' ? declaredStatus(error) : undefined;
    if (status === undefined) return super.catch(error, host);
    const e = error as Error;
    const body = {
      statusCode: status,
      code: errorCodeOf(e),
      message: e.message,
      retryable: isRetryable(e),
      messageId: e instanceof CatgaError ? e.messageId : undefined,
      details: e instanceof CatgaError ? e.details : undefined,
    };
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost?.httpAdapter ?? this.httpAdapterHost?.httpAdapter;
    if (adapter) {
      adapter.reply(response, body, status);
    } else if (typeof (response as Partial<ExpressLikeResponse>).status === 'function') {
      (response as ExpressLikeResponse).status(status).json(body);
    } else {
      (response as FastifyLikeReply).code(status).send(body);
    }
  }
}
