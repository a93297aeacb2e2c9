import { currentMessageContext, HandlingContext, runInMessageContext } from '../context/message-context.js';
import type { Envelope } from '../envelope/envelope.js';
import { createEnvelope } from '../envelope/envelope.factory.js';
import { HandlerNotFoundError, ShuttingDownError, TimeoutError } from '../errors/catga-errors.js';
import { deserializeError, serializeError } from '../errors/error.serializer.js';
import type { LocalHandler } from '../handlers/local-handler.js';
import type { HandlerRegistry } from '../handlers/handler.registry.js';
import type { MessageKind } from '../messages/message-kind.js';
import { declaredKindOf, messageTypeOf, type MessageClass } from '../messages/message-type.decorator.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import type { Reply, Transport } from '../transport/transport.interface.js';
import { backoffDelay, type Backoff } from '../timing/backoff.js';
import { sleep } from '../timing/sleep.js';
import type { TrafficMeter, TypeMeter } from '../traffic/traffic-meter.js';
import type { HandlerSightings } from './handler-sightings.js';
import type { PublishOptions, SendOptions } from './send-options.js';

const CLAIM_LOST = 'CLAIM_LOST';
/** Between a fenced reply and the repeat: the taker is running the handler. */
const CLAIM_LOST_PAUSE_MS = 20;
/** Between asks for a server of a type seen served before: a restart takes about a second. */
const SERVER_BACKOFF: Backoff = { initialMs: 50, maxMs: 500 };

export interface DispatcherSettings {
  serviceName: string;
  instanceId: string;
  /** Run a local handler directly instead of going through the transport. */
  preferLocal: boolean;
  requestTimeoutMs: number;
}

function terminal(handler: LocalHandler) {
  return (context: HandlingContext): Promise<unknown> => {
    // A fresh buffer per attempt, so a retried handler does not raise its events twice.
    if (context.envelope.kind !== 'query') context.pendingEvents = [];
    // Likewise the writes an earlier attempt held.
    if (context.heldWrites) context.heldWrites.length = 0;
    return handler.invoke(context.envelope.body);
  };
}

/**
 * The kind the receiving handler has, whatever the sender's header said: the kind picks the
 * behaviors (a command sent as a "query" would skip idempotency).
 */
function asKind(envelope: Envelope, kind: MessageKind): Envelope {
  return envelope.kind === kind ? envelope : { ...envelope, kind };
}

/** Routes messages to local handlers through the pipeline, or to other instances through the transport. */
export class Dispatcher {
  private inFlight = 0;
  private handled = 0;
  private failed = 0;
  private idle: Array<() => void> = [];
  private acceptingInbound = true;
  /** Per handler, once: the end of its pipeline and the meter of its type (when metered). */
  private readonly terminals = new WeakMap<LocalHandler, { end: (context: HandlingContext) => Promise<unknown>; meter?: TypeMeter }>();
  private pipeline: Pipeline | undefined;

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly transport: Transport,
    /** Gives the application's pipeline; asked once, at the first handling. */
    private readonly pipelineOf: () => Pipeline,
    readonly settings: DispatcherSettings,
    private readonly signals?: CatgaSignals,
    /** Who serves what, as the cluster saw it; without it "no server" fails at once. */
    private readonly sightings?: HandlerSightings,
    /** Per-type counts for the cluster's announcements; without it nothing is metered. */
    private readonly traffic?: TrafficMeter,
  ) {}

  send(message: object, options?: SendOptions): Promise<unknown> {
    return this.sendBody(messageTypeOf(message), message, declaredKindOf(message.constructor as MessageClass), true, options);
  }

  /** Sends a body under a type name (a message with no class of its own, e.g. a `@MessagePattern` payload). */
  sendByType(type: string, body: unknown, declaredKind: MessageKind | undefined, options?: SendOptions): Promise<unknown> {
    return this.sendBody(type, body, declaredKind, false, options);
  }

  /** `ofItsClass`: the body is an instance of its type's class, as `send` is given one. */
  private sendBody(
    type: string,
    body: unknown,
    declaredKind: MessageKind | undefined,
    ofItsClass: boolean,
    options: SendOptions | undefined,
  ): Promise<unknown> {
    const local = this.registry.requestHandler(type);
    const kind = local?.kind ?? declaredKind ?? 'command';
    const envelope = createEnvelope(body, type, kind, options, currentMessageContext(), this.signals?.enrichers);
    this.traffic?.sent(type, kind);
    // A plain body for a handler of a class goes through the transport, whose decoding makes it one.
    if (local && this.settings.preferLocal && (ofItsClass || local.messageClass === Object || body instanceof local.messageClass)) {
      return this.handle(envelope, local, options?.messageId === undefined);
    }
    return this.sendThroughTransport(envelope, options?.timeoutMs);
  }

  publish(event: object, options?: PublishOptions): Promise<void> {
    return this.publishEnvelope(messageTypeOf(event), event, options);
  }

  /** Publishes `body`, plain values, as an event of `type`, as `publish` would an instance of its class. */
  publishAs(type: string, body: unknown, options?: PublishOptions): Promise<void> {
    return this.publishEnvelope(type, body, options);
  }

  private sendThroughTransport(envelope: Envelope, timeoutMs: number | undefined): Promise<unknown> {
    if (this.signals?.wrapsOperations) return this.signals.run({ name: 'send', envelope }, () => this.sendRemote(envelope, timeoutMs));
    return this.sendRemote(envelope, timeoutMs);
  }

  private publishEnvelope(type: string, body: unknown, options: PublishOptions | undefined): Promise<void> {
    const parent = currentMessageContext();
    const envelope = createEnvelope(body, type, 'event', options, parent, this.signals?.enrichers);
    if (parent?.pendingEvents) {
      parent.pendingEvents.push(envelope);
      return Promise.resolve();
    }
    const signals = this.signals;
    if (!signals) return this.transport.publish(envelope);
    return signals
      .run({ name: 'publish', envelope }, () => this.transport.publish(envelope))
      .then(() => signals.emit('published', { envelope }));
  }

  /** Handles a request that arrived over the transport; never throws, the error travels in the reply. */
  async handleRequest(envelope: Envelope): Promise<Reply> {
    try {
      if (!this.acceptingInbound) throw new ShuttingDownError('This instance is shutting down', { messageId: envelope.id });
      const handler = this.registry.requestHandler(envelope.type);
      if (!handler) throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
      return { ok: true, result: await this.handle(asKind(envelope, handler.kind), handler) };
    } catch (error) {
      return { ok: false, error: serializeError(error, envelope.id) };
    }
  }

  /** Handles an event delivery; a rejection makes the transport redeliver. */
  async handleEvent(envelope: Envelope, handler: LocalHandler): Promise<void> {
    if (!this.acceptingInbound) throw new ShuttingDownError('This instance is shutting down', { messageId: envelope.id });
    await this.handle(asKind(envelope, 'event'), handler);
  }

  /**
   * Runs one handler for one envelope through the pipeline, in the envelope's context.
   * `privateId`: the id was made here for this handling alone (see `MessageContext.privateId`).
   */
  handle(envelope: Envelope, handler: LocalHandler, privateId = false): Promise<unknown> {
    const context = new HandlingContext(envelope, handler.name, privateId);
    let known = this.terminals.get(handler);
    if (!known) this.terminals.set(handler, (known = { end: terminal(handler), meter: this.traffic?.meter(handler.type, handler.kind) }));
    const { end, meter } = known;
    this.inFlight++;
    const started = meter?.begin() ? performance.now() : -1;
    let promise: Promise<unknown>;
    try {
      promise = runInMessageContext(context, (this.pipeline ??= this.pipelineOf()).run, context, end);
    } catch (error) {
      promise = Promise.reject(error);
    }
    if (!meter) return promise.then(this.settleFulfilled, this.settleRejected);
    return promise.then(
      (result) => {
        meter.handling(started < 0 ? -1 : performance.now() - started, true);
        return this.settleFulfilled(result);
      },
      (error: unknown) => {
        meter.handling(started < 0 ? -1 : performance.now() - started, false);
        return this.settleRejected(error);
      },
    );
  }

  private readonly settleFulfilled = (result: unknown): unknown => {
    this.handled++;
    this.settle();
    return result;
  };

  private readonly settleRejected = (error: unknown): never => {
    this.failed++;
    this.settle();
    throw error;
  };

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Handlings that succeeded since start. */
  get handledCount(): number {
    return this.handled;
  }

  /** Handlings that failed since start. */
  get failedCount(): number {
    return this.failed;
  }

  /** Refuses new inbound messages; local sends (from requests already in hand) still run. */
  stopInbound(): void {
    this.acceptingInbound = false;
  }

  /** Resolves when no handling is in progress, or after `timeoutMs`; returns whether it went idle. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async sendRemote(envelope: Envelope, timeoutMs: number | undefined): Promise<unknown> {
    const budgetMs = timeoutMs ?? this.settings.requestTimeoutMs;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const reply = await this.requestServed(envelope, deadline, budgetMs);
      if (reply.ok) return reply.result;
      // The replica that answered was fenced: another instance took its handling over (it was
      // thought dead or frozen) and stores the outcome, which a repeat with the same id receives.
      if (reply.error.code !== CLAIM_LOST || Date.now() + CLAIM_LOST_PAUSE_MS >= deadline) throw deserializeError(reply.error);
      await sleep(CLAIM_LOST_PAUSE_MS);
    }
  }

  /** One request through the transport; when it finds no server for the type, `awaitServer` decides. */
  private async requestServed(envelope: Envelope, deadline: number, budgetMs: number): Promise<Reply> {
    let reply: Reply;
    try {
      reply = await this.transport.request(envelope, { timeoutMs: Math.max(1, deadline - Date.now()) });
    } catch (error) {
      if (!(error instanceof HandlerNotFoundError) || !this.sightings) throw error;
      reply = await this.awaitServer(envelope, error, deadline, budgetMs, this.sightings);
    }
    this.sightings?.answered(envelope.type);
    return reply;
  }

  /**
   * No server of the type right now. A type the cluster saw served recently (a member announced
   * it, or a replica answered it) is a restart: asked again with the same id, with backoff, until
   * the deadline, then a `TimeoutError` naming the service. A type nobody was seen serving is
   * `HANDLER_NOT_FOUND` at once, or once this instance has heard every member (`pending`).
   */
  private async awaitServer(
    envelope: Envelope,
    notFound: HandlerNotFoundError,
    deadline: number,
    budgetMs: number,
    sightings: HandlerSightings,
  ): Promise<Reply> {
    let seen: { service: string | undefined } | undefined;
    for (let attempt = 1; ; attempt++) {
      const sighting = sightings.lookup(envelope.type);
      if (sighting.kind === 'seen') seen = sighting;
      else if (sighting.kind === 'never' && !seen) throw notFound;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        if (!seen) throw notFound;
        const who = seen.service === undefined ? 'serving it' : `of ${seen.service}`;
        throw new TimeoutError(`No replica ${who} answered "${envelope.type}" within ${budgetMs} ms`, { messageId: envelope.id });
      }
      await sleep(Math.min(backoffDelay(attempt, SERVER_BACKOFF), remaining));
      if (Date.now() >= deadline) continue;
      try {
        return await this.transport.request(envelope, { timeoutMs: Math.max(1, deadline - Date.now()) });
      } catch (error) {
        if (!(error instanceof HandlerNotFoundError)) throw error;
        notFound = error;
      }
    }
  }

  private settle(): void {
    if (--this.inFlight === 0 && this.idle.length > 0) {
      const waiters = this.idle;
      this.idle = [];
      for (const wake of waiters) wake();
    }
  }
}
