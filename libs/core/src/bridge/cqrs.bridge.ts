import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { CommandBus, CommandHandler, EventBus, QueryBus, QueryHandler, type IEventPublisher } from '@nestjs/cqrs';
import type { LocalHandler } from '../handlers/local-handler.js';
import { isBroadcast } from '../handlers/broadcast.decorator.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { MessageKind } from '../messages/message-kind.js';
import { declaredKindOf, messageTypeOf, registeredMessageTypes, type MessageClass } from '../messages/message-type.decorator.js';
import { CQRS_COMMAND, CQRS_COMMAND_HANDLER, CQRS_EVENTS_HANDLER, CQRS_QUERY, CQRS_QUERY_HANDLER } from './cqrs-metadata.js';

type Executable = { execute(message: unknown): Promise<unknown> };
type EventHandling = { handle(event: unknown): unknown };

/**
 * Joins @nestjs/cqrs to Catga without changing user handler classes:
 * - each `@CommandHandler`/`@QueryHandler` instance is recorded as a local handler, and its
 *   `execute` is replaced by a call into the dispatcher, so `CommandBus.execute` runs the pipeline
 *   (and may be routed to another instance) exactly as `CatgaMediator.send` does;
 * - `EventBus` gets a publisher that hands events to the dispatcher, which delivers them to the
 *   `@EventsHandler`s through the transport and the pipeline;
 * - command and query classes with no handler here get a forwarding handler on the bus, so
 *   `CommandBus.execute` reaches a remote handler (or fails with `HandlerNotFoundError`).
 */
@Injectable()
export class CqrsBridge {
  private readonly logger = new Logger('Catga');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: HandlerRegistry,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly eventBus: EventBus,
  ) {}

  connect(dispatcher: Dispatcher, serviceName: string): void {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as MessageClass | undefined;
      if (!metatype || typeof metatype !== 'function') continue;
      const command = Reflect.getMetadata(CQRS_COMMAND_HANDLER, metatype) as MessageClass | undefined;
      const query = Reflect.getMetadata(CQRS_QUERY_HANDLER, metatype) as MessageClass | undefined;
      const events = Reflect.getMetadata(CQRS_EVENTS_HANDLER, metatype) as MessageClass[] | undefined;
      if (!command && !query && !events) continue;
      const instance = this.singleton(wrapper);
      if (!instance) continue;
      const name = `${serviceName}.${metatype.name}`;
      if (command) this.adoptRequestHandler(dispatcher, instance as Executable, command, 'command', name);
      if (query) this.adoptRequestHandler(dispatcher, instance as Executable, query, 'query', name);
      for (const event of events ?? []) {
        const handling = instance as EventHandling;
        const handle = handling.handle.bind(handling);
        this.registry.addEventHandler({
          type: messageTypeOf(event),
          kind: 'event',
          name,
          messageClass: event,
          broadcast: isBroadcast(metatype),
          invoke: async (message) => {
            await handle(message);
          },
        });
      }
    }
    this.forwardRemoteTypes(dispatcher);
    const publisher: IEventPublisher = {
      publish: (event: object) => dispatcher.publish(event),
      publishAll: (events: object[]) => Promise.all(events.map((e) => dispatcher.publish(e))),
    };
    this.eventBus.publisher = publisher;
  }

  private adoptRequestHandler(
    dispatcher: Dispatcher,
    instance: Executable,
    messageClass: MessageClass,
    kind: MessageKind,
    name: string,
  ): void {
    if (typeof instance.execute !== 'function') return;
    const original = instance.execute.bind(instance);
    const handler: LocalHandler = { type: messageTypeOf(messageClass), kind, name, messageClass, invoke: original };
    this.registry.addRequestHandler(handler);
    // The bus calls instance.execute at each execution, so this routes CommandBus/QueryBus through Catga.
    instance.execute = (message: unknown) => dispatcher.send(message as object);
  }

  private forwardRemoteTypes(dispatcher: Dispatcher): void {
    for (const [type, messageClass] of registeredMessageTypes()) {
      if (this.registry.requestHandler(type)) continue;
      const kind = declaredKindOf(messageClass);
      if (kind !== 'command' && kind !== 'query') continue;
      const forwarder = { execute: (message: unknown) => dispatcher.send(message as object) };
      const wrapper = { isDependencyTreeStatic: () => true, instance: forwarder } as unknown as InstanceWrapper;
      if (kind === 'command') {
        CommandHandler(messageClass as never)(class CatgaCommandForwarder {});
        const { id } = Reflect.getMetadata(CQRS_COMMAND, messageClass) as { id: string };
        this.commandBus.bind(wrapper as never, id);
      } else {
        QueryHandler(messageClass as never)(class CatgaQueryForwarder {});
        const { id } = Reflect.getMetadata(CQRS_QUERY, messageClass) as { id: string };
        this.queryBus.bind(wrapper as never, id);
      }
    }
  }

  private singleton(wrapper: InstanceWrapper): object | undefined {
    if (!wrapper.isDependencyTreeStatic() || !wrapper.instance) {
      this.logger.warn(
        `${String(wrapper.name)} is request- or transient-scoped; Catga routes singleton handlers only, so it is left to @nestjs/cqrs`,
      );
      return undefined;
    }
    return wrapper.instance as object;
  }
}
