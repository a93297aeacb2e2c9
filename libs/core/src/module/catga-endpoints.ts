import { Inject, Injectable } from '@nestjs/common';
import { currentMessageContext } from '../context/message-context.js';
import type { Envelope } from '../envelope/envelope.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import type { LocalHandler } from '../handlers/local-handler.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { PublishOptions, SendOptions } from '../mediator/send-options.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { MessageClass } from '../messages/message-type.decorator.js';
import { CATGA_DISPATCHER, CATGA_SETTINGS, CATGA_TRANSPORT } from '../tokens/catga.tokens.js';
import type { Delivery, Transport } from '../transport/transport.interface.js';
import type { CatgaSettings } from './catga-settings.js';
import { RedriveServer } from '../operations/redrive-server.js';

/** What an endpoint's handler is told of the message it handles. */
export interface EndpointHandling {
  readonly envelope: Envelope;
  /** 1 on the first delivery of an event, then +1 per redelivery; always 1 for a request. */
  readonly delivery: number;
}

/** A request handler from a source other than @nestjs/cqrs (e.g. a `@MessagePattern` method). */
export interface RequestEndpoint {
  readonly type: string;
  /** A command's outcome is kept per message id (idempotency); a query's is not. */
  readonly kind: 'command' | 'query';
  /** Service-qualified name; a type has one request handler per process. */
  readonly name: string;
  handle(body: unknown, handling: EndpointHandling): Promise<unknown>;
}

/** An event handler from a source other than @nestjs/cqrs (e.g. an `@EventPattern` method). */
export interface EventEndpoint {
  readonly type: string;
  /** Service-qualified name: each name is one durable consumer, shared by the service's replicas. */
  readonly name: string;
  /** Every instance receives the event (no durability) instead of one per name. */
  readonly broadcast?: boolean;
  /** Deliveries before the event goes to the dead letters. Default: the transport's. */
  readonly maxDeliveries?: number;
  handle(body: unknown, handling: EndpointHandling): Promise<void>;
}

export interface EndpointSendOptions extends SendOptions {
  /** The kind when no handler of the type is here to say. Default `command`. */
  kind?: MessageKind;
}

/** A body sent under a type name has no class; hydration and validation see a plain value. */
const UNTYPED = Object as unknown as MessageClass;

/**
 * Where another way of writing handlers joins Catga: request and event handlers added here run
 * through the same pipeline, transport, queue group and durable consumers as @nestjs/cqrs ones,
 * and bodies are sent and published by type name. Handlers added before the application has
 * bootstrapped are served when it does; later ones at once.
 */
@Injectable()
export class CatgaEndpoints {
  private readonly pendingEvents: EventEndpoint[] = [];
  private started = false;

  constructor(
    @Inject(CATGA_SETTINGS) private readonly settings: CatgaSettings,
    @Inject(CATGA_TRANSPORT) private readonly transport: Transport,
    @Inject(CATGA_DISPATCHER) private readonly dispatcher: Dispatcher,
    private readonly registry: HandlerRegistry,
    private readonly redrives: RedriveServer,
  ) {}

  /** The logical service: its queue group and the owner of its consumers. */
  get serviceName(): string {
    return this.settings.serviceName;
  }

  async addRequestHandler(endpoint: RequestEndpoint): Promise<void> {
    this.registry.addRequestHandler({
      type: endpoint.type,
      kind: endpoint.kind,
      name: endpoint.name,
      messageClass: UNTYPED,
      invoke: (body) => endpoint.handle(body, { envelope: currentMessageContext()!.envelope, delivery: 1 }),
    });
    if (this.started) await this.serve(endpoint.type);
  }

  async addEventHandler(endpoint: EventEndpoint): Promise<void> {
    if (this.started) await this.subscribe(endpoint);
    else this.pendingEvents.push(endpoint);
  }

  /** Sends a body to the handler of `type` (here, or on another instance) and resolves with its result. */
  send(type: string, body: unknown, options?: EndpointSendOptions): Promise<unknown> {
    return this.dispatcher.sendByType(type, body, options?.kind, options);
  }

  /** Publishes a body as an event of `type`; inside a command handling it is held until the command succeeds. */
  publish(type: string, body: unknown, options?: PublishOptions): Promise<void> {
    return this.dispatcher.publishAs(type, body, options);
  }

  /**
   * Called by the bootstrapper once the transport runs, as it takes the registry's request
   * handlers to serve: from then on (synchronously) what is added is served here.
   */
  start(): Promise<void> {
    this.started = true;
    const pending = this.pendingEvents.splice(0);
    return (async () => {
      for (const endpoint of pending) await this.subscribe(endpoint);
    })();
  }

  private async serve(type: string): Promise<void> {
    const handle = (envelope: Envelope) => this.dispatcher.handleRequest(envelope);
    // Drained and closed with the transport at shutdown, as the bootstrapper's subscriptions are.
    await this.transport.serve(type, handle, { group: this.settings.serviceName });
  }

  private async subscribe(endpoint: EventEndpoint): Promise<void> {
    const base: Omit<LocalHandler, 'invoke'> = { type: endpoint.type, kind: 'event', name: endpoint.name, messageClass: UNTYPED };
    const deliver = (envelope: Envelope, delivery: Delivery) =>
      this.dispatcher.handleEvent(envelope, {
        ...base,
        invoke: (body) => endpoint.handle(body, { envelope: currentMessageContext()?.envelope ?? envelope, delivery: delivery.attempt }),
      });
    await this.transport.subscribe(endpoint.type, deliver, {
      group: endpoint.name,
      mode: endpoint.broadcast ? 'broadcast' : 'durable',
      maxDeliveries: endpoint.maxDeliveries,
    });
    // The group takes its dead letters back in its own queue, as a @nestjs/cqrs one does.
    if (!endpoint.broadcast) await this.redrives.add(endpoint.name, endpoint.type, (event) => deliver(event, { attempt: 1 }));
  }
}
