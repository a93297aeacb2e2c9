import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Lets an error thrown by a handler, a guard or a pipe travel back as itself (its class, code and
 * `retryable` flag, e.g. `BadRequestException` from `ValidationPipe`, a retryable Catga error the
 * retry behavior retries) instead of Nest's default `{ status: 'error', message: 'Internal server
 * error' }`. For the microservice: `app.useGlobalFilters(new CatgaRpcExceptionFilter())` or
 * `@UseFilters(CatgaRpcExceptionFilter)` on a controller.
 */
@Catch()
export class CatgaRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getType() !== 'rpc') throw exception;
    return throwError(() => exception);
  }
}
