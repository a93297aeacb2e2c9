import type { CatgaEndpoints, EndpointHandling } from '@catga/core';
import { RpcException, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { CatgaContext } from '../context/catga.context.js';
import { routeType } from '../patterns/pattern-type.js';
import type { CatgaServerOptions } from '../catga-microservices-options.interface.js';
import { catgaPatternOptions } from './catga-pattern.extras.js';
import { CATGA_TRANSPORT_ID } from './catga-transport.id.js';

export type CatgaServerStatus = 'bound' | 'listening' | 'closed';

/**
 * A Nest custom transport strategy on Catga's transport: `@MessagePattern` handlers are served
 * as request-reply in the service's queue group, `@EventPattern` handlers as durable consumers
 * (acknowledged after the handler succeeds, redelivered, dead-lettered), both through the Catga
 * pipeline. Nest's guards, pipes, interceptors and exception filters run as on its own transports.
 *
 * The application must import `CatgaMicroservicesModule`, which binds the strategy to the
 * application's Catga module when Nest registers it.
 */
export class CatgaServer extends Server<Record<string, never>, CatgaServerStatus> implements CustomTransportStrategy {
  override readonly transportId = CATGA_TRANSPORT_ID;
  // Event handler failures reach the transport, which redelivers and dead-letters.
  override readonly propagatesEventHandlerErrors = true;
  private endpoints: CatgaEndpoints | undefined;

  constructor(private readonly options: CatgaServerOptions = {}) {
    super();
    if (options.maxDeliveries !== undefined && !(Number.isInteger(options.maxDeliveries) && options.maxDeliveries >= 1)) {
      throw new Error(`CatgaServer maxDeliveries must be a positive integer, not ${String(options.maxDeliveries)}`);
    }
  }

  /** Called by `CatgaMicroservicesModule` with the application's endpoints. */
  bind(endpoints: CatgaEndpoints): void {
    if (this.endpoints && this.endpoints !== endpoints) throw new Error('A CatgaServer serves one application');
    this.endpoints = endpoints;
    this._status$.next('bound');
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** The application's Catga module drains and closes the transport at shutdown; nothing is left open here. */
  close(): void {
    this._status$.next('closed');
  }

  on(): never {
    throw new Error('CatgaServer emits no events; read CatgaSignals from @catga/core instead');
  }

  unwrap<T>(): T {
    if (!this.endpoints) throw new Error('CatgaServer is not bound to an application yet');
    return this.endpoints as T;
  }

  private async start(): Promise<void> {
    const endpoints = this.endpoints;
    if (!endpoints) {
      throw new Error(
        'CatgaServer is not bound to a Catga application: import CatgaMicroservicesModule (and CatgaModule) in the application module',
      );
    }
    for (const [route, handler] of this.getHandlers()) {
      const type = routeType(route);
      const options = catgaPatternOptions(handler.extras);
      if (handler.isEventHandler) {
        await endpoints.addEventHandler({
          type,
          name: `${endpoints.serviceName}.EventPattern`,
          broadcast: options.broadcast,
          maxDeliveries: options.maxDeliveries ?? this.options.maxDeliveries,
          handle: async (body, handling) => {
            await this.run(route, handler, body, handling);
          },
        });
      } else {
        await endpoints.addRequestHandler({
          type,
          kind: options.kind ?? 'command',
          name: `${endpoints.serviceName}.MessagePattern`,
          handle: (body, handling) => this.run(route, handler, body, handling),
        });
      }
    }
    this._status$.next('listening');
  }

  /**
   * One handling through Nest's chain (guards, interceptors, pipes, the method, exception filters).
   * A handler that answers with an observable replies with its last value. What the filters throw
   * travels back: an error as its class, any other value (Nest's `{ status, message }`) as the
   * payload of an `RpcException`.
   */
  private async run(route: string, handler: MessageHandler, body: unknown, handling: EndpointHandling): Promise<unknown> {
    const context = new CatgaContext([route, handling.envelope, handling.delivery]);
    let result: unknown;
    await this.runWithProcessingHooks(context, async (runEndHook) => {
      try {
        const output: unknown = await handler(body, context);
        // Without interceptors Nest's chain resolves to the value itself: no observable to make.
        result = isObservable(output) ? await lastValueFrom(output, { defaultValue: undefined }) : output;
      } catch (error) {
        throw asError(error);
      } finally {
        runEndHook();
      }
    });
    return result;
  }
}

function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new RpcException(thrown !== null && typeof thrown === 'object' ? thrown : String(thrown));
}
