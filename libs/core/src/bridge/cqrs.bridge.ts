import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import {
  CommandBus,
  CommandHandler,
  EventBus,
  QueryBus,
  QueryHandler,
  UnhandledExceptionBus,
  type CqrsModuleOptions,
  type IEvent,
  type IEventPublisher,
} from '@nestjs/cqrs';
import type { Envelope } from '../envelope/envelope.js';
import type { LocalHandler } from '../handlers/local-handler.js';
import { isBroadcast } from '../handlers/broadcast.decorator.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { MessageKind } from '../messages/message-kind.js';
import { declaredKindOf, messageTypeOf, registeredMessageTypes, type MessageClass } from '../messages/message-type.decorator.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import {
  CQRS_COMMAND,
  CQRS_COMMAND_HANDLER,
  CQRS_EVENTS_HANDLER,
  CQRS_MODULE_OPTIONS,
  CQRS_QUERY,
  CQRS_QUERY_HANDLER,
  CQRS_SAGA,
} from './cqrs-metadata.js';
import { RxSagaFeed, type RxSaga } from './rx-saga.feed.js';
import { scopedInvoker } from './scoped-handler.js';
import { UnhandledExceptionReporter } from './unhandled-exception.reporter.js';

type Executable = { execute(message: unknown): Promise<unknown> };
type EventHandling = { handle(event: unknown): unknown };
type HandlerClass = abstract new (...args: never[]) => object;
type RegisteringBus = { register(handlers?: InstanceWrapper[]): void };

/**
 * Joins @nestjs/cqrs to Catga without changing user handler classes:
 * - each `@CommandHandler`/`@QueryHandler` is recorded as a local handler: a singleton's `execute`
 *   is replaced by a call into the dispatcher, a request- or durable-scoped handler's type is bound
 *   on the bus to the dispatcher and resolved per handling, so `CommandBus.execute` runs the
 *   pipeline (and may be routed to another instance) exactly as `CatgaMediator.send` does;
 * - `EventBus` gets a publisher that hands events to the dispatcher, which delivers them to the
 *   `@EventsHandler`s and the `@Saga()` streams through the transport and the pipeline;
 * - command and query classes with no handler here get a forwarding handler on the bus, so
 *   `CommandBus.execute` reaches a remote handler (or fails with `HandlerNotFoundError`);
 * - event handler and saga failures reach `UnhandledExceptionBus`.
 */
@Injectable()
export class CqrsBridge implements OnModuleDestroy {
  private readonly logger = new Logger('Catga');
  private dispatcher: Dispatcher | undefined;
  private reporter: UnhandledExceptionReporter | undefined;
  private sagas: RxSagaFeed | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: HandlerRegistry,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly eventBus: EventBus,
    private readonly unhandledExceptionBus: UnhandledExceptionBus,
    private readonly moduleRef: ModuleRef,
  ) {}

  connect(dispatcher: Dispatcher, serviceName: string, signals: CatgaSignals): void {
    this.dispatcher = dispatcher;
    const rethrowUnhandled = this.cqrsOptions().rethrowUnhandled === true;
    this.reporter = new UnhandledExceptionReporter(this.unhandledExceptionBus, signals, rethrowUnhandled);
    const sagas = new RxSagaFeed(this.commandBus, this.unhandledExceptionBus, rethrowUnhandled, this.logger);
    const scoped = new Set<unknown>();
    const adopted = new Set<string>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as HandlerClass | undefined;
      if (!metatype || typeof metatype !== 'function') continue;
      this.adoptSagas(wrapper, metatype, sagas);
      const command = Reflect.getMetadata(CQRS_COMMAND_HANDLER, metatype) as MessageClass | undefined;
      const query = Reflect.getMetadata(CQRS_QUERY_HANDLER, metatype) as MessageClass | undefined;
      const events = Reflect.getMetadata(CQRS_EVENTS_HANDLER, metatype) as MessageClass[] | undefined;
      if (!command && !query && !events) continue;
      const name = `${serviceName}.${metatype.name}`;
      for (const messageClass of [command, query]) if (messageClass) adopted.add(messageTypeOf(messageClass));
      if (wrapper.isDependencyTreeStatic()) {
        const instance = wrapper.instance as object | undefined;
        if (!instance) {
          this.logger.warn(`${String(wrapper.name)} has no instance; Catga leaves it to @nestjs/cqrs`);
          continue;
        }
        if (command) this.adoptSingleton(dispatcher, instance as Executable, command, 'command', name);
        if (query) this.adoptSingleton(dispatcher, instance as Executable, query, 'query', name);
        const handling = instance as EventHandling;
        for (const event of events ?? []) this.addEventHandler(event, name, metatype, (e) => handling.handle(e));
      } else {
        scoped.add(metatype);
        const execute = (instance: object, message: object) => (instance as Executable).execute(message);
        if (command) this.adoptScoped(dispatcher, scopedInvoker(this.moduleRef, metatype, 'command', execute), command, 'command', name);
        if (query) this.adoptScoped(dispatcher, scopedInvoker(this.moduleRef, metatype, 'query', execute), query, 'query', name);
        const handle = scopedInvoker(this.moduleRef, metatype, 'event', (instance, event) => (instance as EventHandling).handle(event));
        for (const event of events ?? []) this.addEventHandler(event, name, metatype, handle);
      }
    }
    if (scoped.size > 0) {
      // Whichever bootstraps first, the bus keeps the binding to Catga (and logs no override).
      this.keepOffBus(this.commandBus as unknown as RegisteringBus, scoped);
      this.keepOffBus(this.queryBus as unknown as RegisteringBus, scoped);
    }
    this.forwardRemoteTypes(dispatcher, adopted);
    if (sagas.size > 0) this.feedSagas(sagas, `${serviceName}.sagas`);
    this.sagas = sagas;
    this.eventBus.publisher = this.publisher(dispatcher);
  }

  /** Delivers an event that arrived from the transport to one handler; a rejection makes the transport redeliver. */
  handleEvent(envelope: Envelope, handler: LocalHandler): Promise<void> {
    const handling = this.dispatcher!.handleEvent(envelope, handler);
    return this.reporter ? this.reporter.watch(handler, envelope, handling) : handling;
  }

  onModuleDestroy(): void {
    this.sagas?.close();
  }

  private adoptSingleton(dispatcher: Dispatcher, instance: Executable, messageClass: MessageClass, kind: MessageKind, name: string): void {
    if (typeof instance.execute !== 'function') return;
    const original = instance.execute.bind(instance);
    this.registry.addRequestHandler({ type: messageTypeOf(messageClass), kind, name, messageClass, invoke: original });
    // The bus calls instance.execute at each execution, so this routes CommandBus/QueryBus through Catga.
    instance.execute = (message: unknown) => dispatcher.send(message as object);
  }

  private adoptScoped(
    dispatcher: Dispatcher,
    invoke: (message: unknown) => Promise<unknown>,
    messageClass: MessageClass,
    kind: MessageKind,
    name: string,
  ): void {
    this.registry.addRequestHandler({ type: messageTypeOf(messageClass), kind, name, messageClass, invoke });
    this.bindForwarder(dispatcher, messageClass, kind);
  }

  private addEventHandler(event: MessageClass, name: string, metatype: HandlerClass, handle: (event: unknown) => unknown): void {
    this.registry.addEventHandler({
      type: messageTypeOf(event),
      kind: 'event',
      name,
      messageClass: event,
      broadcast: isBroadcast(metatype),
      invoke: async (message) => {
        try {
          await handle(message);
        } catch (error) {
          this.reporter?.handlerThrew(error);
          throw error;
        }
      },
    });
  }

  private adoptSagas(wrapper: InstanceWrapper, metatype: HandlerClass, sagas: RxSagaFeed): void {
    const keys = Reflect.getMetadata(CQRS_SAGA, metatype) as string[] | undefined;
    // A scoped saga provider is refused by @nestjs/cqrs itself (UnsupportedSagaScopeException).
    if (!keys || !wrapper.isDependencyTreeStatic() || !wrapper.instance) return;
    const instance = wrapper.instance as Record<string, unknown>;
    for (const key of keys) {
      const saga = instance[key];
      if (typeof saga === 'function') sagas.register((saga as RxSaga).bind(instance), key);
    }
  }

  /**
   * The sagas hear every event type this process knows (a `@MessageType` class that is not a
   * command or query, or the event of an `@EventsHandler` here), as one handler group per service.
   */
  private feedSagas(sagas: RxSagaFeed, name: string): void {
    const types = new Map<string, MessageClass>();
    for (const [type, messageClass] of registeredMessageTypes()) {
      const kind = declaredKindOf(messageClass);
      if (kind === undefined || kind === 'event') types.set(type, messageClass);
    }
    for (const [type, handlers] of this.registry.eventTypes()) {
      if (!types.has(type) && handlers[0]) types.set(type, handlers[0].messageClass);
    }
    for (const [type, messageClass] of types) {
      this.registry.addEventHandler({ type, kind: 'event', name, messageClass, invoke: (event) => sagas.feed(event as object) });
    }
  }

  private publisher(dispatcher: Dispatcher): IEventPublisher {
    const released = (publishing: Promise<unknown>, dispatcherContext: unknown) => {
      // EventPublisher (an aggregate's publish/commit) drops the promise: a failure is logged, not left unhandled.
      if (dispatcherContext !== undefined) {
        publishing.catch((error: unknown) => this.logger.error(`An aggregate's event could not be published: ${String(error)}`));
      }
      return publishing;
    };
    return {
      publish: (event: IEvent, dispatcherContext?: unknown) => released(dispatcher.publish(event), dispatcherContext),
      publishAll: (events: IEvent[], dispatcherContext?: unknown) =>
        released(Promise.all(events.map((e) => dispatcher.publish(e))), dispatcherContext),
    };
  }

  /** `adopted`: the types whose @nestjs/cqrs handler is here; any other (remote, or served here by another source) is forwarded. */
  private forwardRemoteTypes(dispatcher: Dispatcher, adopted: ReadonlySet<string>): void {
    for (const [type, messageClass] of registeredMessageTypes()) {
      if (adopted.has(type)) continue;
      const kind = declaredKindOf(messageClass);
      if (kind === 'command' || kind === 'query') this.bindForwarder(dispatcher, messageClass, kind);
    }
  }

  /** Binds the bus's handler of the class to the dispatcher (local pipeline or transport). */
  private bindForwarder(dispatcher: Dispatcher, messageClass: MessageClass, kind: MessageKind): void {
    const forwarder = { execute: (message: unknown) => dispatcher.send(message as object) };
    const wrapper = { isDependencyTreeStatic: () => true, instance: forwarder } as unknown as InstanceWrapper;
    if (kind === 'command') {
      CommandHandler(messageClass as never)(class CatgaCommandForwarder {});
      const { id } = Reflect.getMetadata(CQRS_COMMAND, messageClass) as { id: string };
      this.commandBus.bind(wrapper as never, id);
    } else if (kind === 'query') {
      QueryHandler(messageClass as never)(class CatgaQueryForwarder {});
      const { id } = Reflect.getMetadata(CQRS_QUERY, messageClass) as { id: string };
      this.queryBus.bind(wrapper as never, id);
    }
  }

  /** Leaves out of the bus's own registration (at @nestjs/cqrs's bootstrap) the handlers Catga binds. */
  private keepOffBus(bus: RegisteringBus, routed: ReadonlySet<unknown>): void {
    const register = bus.register.bind(bus);
    bus.register = (handlers = []) => register(handlers.filter((handler) => !routed.has(handler.metatype)));
  }

  private cqrsOptions(): CqrsModuleOptions {
    try {
      return this.moduleRef.get<CqrsModuleOptions>(CQRS_MODULE_OPTIONS, { strict: false }) ?? {};
    } catch {
      return {};
    }
  }
}
