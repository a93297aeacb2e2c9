import * as nestCommon from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { registerErrors, type AnyErrorClass } from './error-code.decorator.js';

/**
 * Nest's `HttpException` and every subclass `@nestjs/common` exports (`BadRequestException`,
 * `NotFoundException`, …), registered so they are rebuilt as themselves after a hop: status,
 * response body and class survive, and Nest's default exception filter answers the caller's
 * HTTP request with the status the remote handler meant.
 */
const NEST_HTTP_EXCEPTIONS: AnyErrorClass[] = [
  HttpException,
  ...(Object.values(nestCommon) as unknown[]).filter(
    (value): value is AnyErrorClass => typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof HttpException,
  ),
];
registerErrors(...NEST_HTTP_EXCEPTIONS);

/** The status of an `HttpException`, when it has a valid one. */
export function httpExceptionStatus(error: unknown): number | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const status = error.getStatus();
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

export { HttpException };
