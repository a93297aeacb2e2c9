import type { INestApplicationContext, OnApplicationShutdown, OnModuleInit, Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Command, Query } from '@nestjs/cqrs';
import type { Envelope } from '../envelope/envelope.js';
import { newMessageId } from '../envelope/message-id.js';
import { serializeError } from '../errors/error.serializer.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { PublishOptions, SendOptions } from '../mediator/send-options.js';
import { messageTypeOf, type MessageClass } from '../messages/message-type.decorator.js';
import type { CatgaModuleOptions } from '../module/catga-options.interface.js';
import type { OutboxPublisher } from '../outbox/outbox.publisher.js';
import type { OutboxStore } from '../stores/outbox/outbox-store.interface.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import { sleep } from '../timing/sleep.js';
import { CATGA_DISPATCHER, CATGA_OUTBOX_PUBLISHER, CATGA_OUTBOX_STORE, CATGA_SAGA_STORE } from '../tokens/catga.tokens.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import type { DeadLetter, Reply } from '../transport/transport.interface.js';
import type { CatgaTestingOptions } from './catga-testing-options.interface.js';
import { DeadLetterLog } from './dead-letter-log.js';
import { MessageLog } from './message-log.js';
import { RecordedEntries } from './recorded-entries.js';
import { RecordingTransport } from './recording.transport.js';

/** The result a command or query class declares (`Command<R>`, `Query<R>`); `unknown` for another class. */
export type ResultOf<T> = T extends Command<infer R> ? R : T extends Query<infer R> ? R : unknown;

/** How a fake answers: given the message as the wire delivered it, returns the result or throws the error the caller should get. */
export type FakeHandle<T> = (message: T, envelope: Envelope<T>) => ResultOf<T> | Promise<ResultOf<T>>;

/** How long `idle()` waits unless told otherwise, in ms. */
const DEFAULT_IDLE_MS = 5_000;
/** Between looks while something is still under way. */
const IDLE_POLL_MS = 2;
/** The group the fakes serve under: another service, as far as the service under test can tell. */
const FAKES_GROUP = 'catga-test-fakes';

/**
 * One service under test on in-memory parts. Everything it sends, publishes and receives crosses
 * the in-memory transport and its wire codec (`preferLocal: false`), so a handler sees what it would
 * see over NATS. Get one from `CatgaTestingModule.create(...)`, or from a testing module that imports
 * `CatgaTestingModule.forRoot()`.
 */
export class CatgaTestHarness implements OnModuleInit, OnApplicationShutdown {
  /** Commands and queries the service sent (to other services, to fakes, or to itself over the wire); not those `send` sent. */
  readonly sent: MessageLog;
  /** Events the service published (released by the outbox, where raised in a handling); not those `publish` published. */
  readonly published: MessageLog;
  /** Events the service's handlers gave up on after `maxDeliveries`. */
  readonly deadLetters: DeadLetterLog;

  private readonly sentEntries = new RecordedEntries<Envelope>();
  private readonly publishedEntries = new RecordedEntries<Envelope>();
  private readonly deadLetterEntries = new RecordedEntries<DeadLetter>();
  private readonly broker = new InMemoryBroker();
  /** Another instance on the same broker: serves the fakes, hears the dead letters. */
  private readonly peer = new InMemoryTransport({ broker: this.broker });
  private readonly fakes = new Map<string, FakeHandle<never>>();
  private readonly registering: Array<Promise<unknown>> = [];
  /** Ids of what `send` and `publish` put on the wire: the test's, not the service's. */
  private readonly ownIds = new Set<string>();
  private transport: RecordingTransport | undefined;
  private moduleRef: ModuleRef | undefined;
  private app: INestApplicationContext | undefined;

  /** @internal Made by `CatgaTestingModule`. */
  constructor(private readonly options: CatgaTestingOptions = {}) {
    this.sent = new MessageLog('sent', this.sentEntries);
    this.published = new MessageLog('published', this.publishedEntries);
    this.deadLetters = new DeadLetterLog(this.deadLetterEntries);
  }

  /** Sends a command or query to the service, over the wire, and returns its result (or throws its error as the caller would get it). */
  send<TResult>(message: Command<TResult> | Query<TResult>, options?: SendOptions): Promise<TResult>;
  send<TResult = unknown>(message: object, options?: SendOptions): Promise<TResult>;
  async send(message: object, options: SendOptions = {}): Promise<unknown> {
    await Promise.all(this.registering);
    const messageId = options.messageId ?? newMessageId();
    this.ownIds.add(messageId);
    return this.resolve(CatgaMediator).send(message, { ...options, messageId });
  }

  /** Publishes an event to the service's handlers, over the wire; resolves once the transport took it (not once handled: see `idle`). */
  async publish(event: object, options: PublishOptions = {}): Promise<void> {
    await Promise.all(this.registering);
    const messageId = options.messageId ?? newMessageId();
    this.ownIds.add(messageId);
    await this.resolve(CatgaMediator).publish(event, { ...options, messageId });
  }

  /**
   * Answers the service's sends of `type` as another service would: from another instance on the
   * same broker, through the wire codec both ways, a thrown error coming back as a remote one (its
   * own class when registered). A second fake of the same type replaces the first.
   */
  fakeHandler<T extends object>(type: MessageClass<T>, handle: FakeHandle<T>): this {
    const name = messageTypeOf(type);
    if (this.resolve(HandlerRegistry).requestHandler(name)) {
      throw new Error(`${name} is handled by the service under test; fake only what other services handle`);
    }
    const known = this.fakes.has(name);
    this.fakes.set(name, handle as FakeHandle<never>);
    if (!known) this.registering.push(this.peer.serve(name, (envelope) => this.answer(name, envelope), { group: FAKES_GROUP }));
    return this;
  }

  /**
   * Resolves once the service is idle: no handling in progress, no request awaiting a reply, every
   * event it published handled or dead-lettered by its subscribers here, the outbox relayed, no saga
   * running. Rejects after `timeoutMs`, naming what was still under way.
   */
  async idle(timeoutMs = DEFAULT_IDLE_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    // Idle twice in a row, a turn of the event loop apart: a delivery scheduled between two looks is seen.
    while (quiet < 2) {
      const busy = await this.busy();
      if (busy.length === 0) {
        quiet++;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      quiet = 0;
      if (Date.now() >= deadline) throw new Error(`The service was not idle within ${timeoutMs} ms: ${busy.join('; ')}`);
      await sleep(IDLE_POLL_MS);
    }
  }

  /** A provider of the application (a handler, a repository, `SagaOrchestrator`…). */
  get<T>(token: Type<T>): T;
  get<T>(token: string | symbol): T;
  get<T>(token: Type<T> | string | symbol): T {
    return this.resolve<T>(token);
  }

  /** Closes the application `CatgaTestingModule.create` made (draining Catga as on SIGTERM). */
  async close(): Promise<void> {
    if (!this.app) throw new Error('This harness came from CatgaTestingModule.forRoot(): close your testing module instead');
    await this.app.close();
  }

  /** @internal The CatgaModule options of the service under test. */
  catgaModuleOptions(): CatgaModuleOptions {
    const catga = this.options.catga ?? {};
    return {
      serviceName: 'service-under-test',
      cluster: false,
      ...catga,
      saga: { recoveryIntervalMs: 0, ...catga.saga },
      preferLocal: false,
      transport: () => {
        const inner = new InMemoryTransport({
          broker: this.broker,
          maxDeliveries: this.options.maxDeliveries ?? 3,
          redeliveryDelayMs: this.options.redeliveryDelayMs ?? 5,
        });
        this.transport = new RecordingTransport(inner, {
          sent: (envelope) => this.record(this.sentEntries, envelope),
          published: (envelope) => this.record(this.publishedEntries, envelope),
        });
        return this.transport;
      },
    };
  }

  /** @internal */
  attach(moduleRef: ModuleRef): this {
    this.moduleRef = moduleRef;
    return this;
  }

  /** @internal */
  own(app: INestApplicationContext): this {
    this.app = app;
    return this;
  }

  async onModuleInit(): Promise<void> {
    await this.peer.start();
    await this.peer.subscribeDeadLetters(async (deadLetter) => {
      this.transport?.deadLettered(deadLetter);
      this.deadLetterEntries.append(deadLetter);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.peer.close();
  }

  private record(entries: RecordedEntries<Envelope>, envelope: Envelope): void {
    if (!this.ownIds.has(envelope.id)) entries.append(envelope);
  }

  /** What a remote service's responder does: the handler's result, or its error serialized, never a throw. */
  private async answer(name: string, envelope: Envelope): Promise<Reply> {
    try {
      const handle = this.fakes.get(name)! as FakeHandle<object>;
      return { ok: true, result: await handle(envelope.body as object, envelope as Envelope<object>) };
    } catch (error) {
      return { ok: false, error: serializeError(error, envelope.id) };
    }
  }

  private async busy(): Promise<string[]> {
    const busy = this.transport?.busy() ?? [];
    const handling = this.resolve<Dispatcher>(CATGA_DISPATCHER).inFlightCount;
    if (handling > 0) busy.push(`${handling} handling(s) in progress`);
    const outbox = this.resolve<OutboxPublisher>(CATGA_OUTBOX_PUBLISHER);
    await outbox.settled();
    const unpublished = await this.resolve<OutboxStore>(CATGA_OUTBOX_STORE).pendingCount();
    if (unpublished > 0) {
      busy.push(`${unpublished} outbox entry(ies) unpublished`);
      // What a failed publish left behind goes out now, not at the next relay tick; only when nothing else runs.
      if (busy.length === 1) await outbox.relayOnce(0);
    }
    const sagas = await this.resolve<SagaStore>(CATGA_SAGA_STORE).countByStatus();
    const running = sagas.Pending + sagas.Running + sagas.Compensating;
    if (running > 0) busy.push(`${running} saga(s) running`);
    return busy;
  }

  private resolve<T>(token: Type<T> | string | symbol): T {
    if (!this.moduleRef) throw new Error('The application is not initialised yet: call init() on it first');
    return this.moduleRef.get<T>(token, { strict: false });
  }
}
