import type { CatgaEndpoints } from '@catga/core';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { CatgaClientOptions } from '../catga-microservices-options.interface.js';
import { routeType } from '../patterns/pattern-type.js';

export type CatgaClientStatus = 'bound' | 'closed';

/**
 * A Nest `ClientProxy` on Catga's transport, registered as Nest users do:
 * `ClientsModule.register([{ name: 'MATH', customClass: CatgaClientProxy, options: {...} }])`.
 * `send(pattern, data)` is a Catga request (timeout, retry with the same id, typed errors);
 * `emit(pattern, data)` a Catga event, published durably with the message id as its
 * de-duplication key. `CatgaMicroservicesModule` binds it to the application's Catga module.
 */
export class CatgaClientProxy extends ClientProxy {
  private endpoints: CatgaEndpoints | undefined;
  private readonly types = new Map<string, string>();

  constructor(private readonly options: CatgaClientOptions = {}) {
    super();
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new Error(`CatgaClientProxy timeoutMs must be a positive number, not ${String(options.timeoutMs)}`);
    }
  }

  /** Called by `CatgaMicroservicesModule` with the application's endpoints (or by hand, for a client made outside Nest's container). */
  bind(endpoints: CatgaEndpoints): void {
    this.endpoints = endpoints;
    this._status$.next('bound' satisfies CatgaClientStatus);
  }

  connect(): Promise<CatgaEndpoints> {
    if (this.endpoints) return Promise.resolve(this.endpoints);
    return Promise.reject(
      new Error(
        'CatgaClientProxy is not bound to a Catga application: import CatgaMicroservicesModule in the application that registers it',
      ),
    );
  }

  /** The application's Catga module owns the connection and closes it at shutdown. */
  close(): void {
    this._status$.next('closed' satisfies CatgaClientStatus);
  }

  unwrap<T>(): T {
    if (!this.endpoints) throw new Error('CatgaClientProxy is not bound to an application yet');
    return this.endpoints as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let listening = true;
    this.endpoints!.send(this.typeOf(packet.pattern), packet.data, {
      timeoutMs: this.options.timeoutMs,
      headers: this.headersOf(packet),
    }).then(
      (response: unknown) => listening && callback({ response, isDisposed: true }),
      (err: unknown) => listening && callback({ err }),
    );
    // An unsubscribed caller stops listening; the request itself has its deadline.
    return () => {
      listening = false;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    await this.endpoints!.publish(this.typeOf(packet.pattern), packet.data, { headers: this.headersOf(packet) });
    return undefined as T;
  }

  /** The client's headers, and the packet's metadata (what `setOnDispatchHook` attached: a trace id, a tenant) over them. */
  private headersOf(packet: ReadPacket): Record<string, string> | undefined {
    const metadata = packet.metadata;
    if (!metadata) return this.options.headers;
    const headers = { ...this.options.headers };
    for (const [name, value] of Object.entries(metadata)) if (typeof value === 'string') headers[name] = value;
    return headers;
  }

  private typeOf(pattern: unknown): string {
    const route = this.normalizePattern(pattern as string);
    let type = this.types.get(route);
    if (type === undefined) {
      type = routeType(route);
      // Patterns are the application's own few; the bound keeps a pattern made per call from growing it.
      if (this.types.size < 1024) this.types.set(route, type);
    }
    return type;
  }
}
