import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CqrsBridge } from '../bridge/cqrs.bridge.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import { CatgaLifecycle } from '../lifecycle/catga-lifecycle.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { OutboxPublisher } from '../outbox/outbox.publisher.js';
import type { Reply, Transport, TransportSubscription } from '../transport/transport.interface.js';
import type { Envelope } from '../envelope/envelope.js';
import { HandlerNotFoundError } from '../errors/catga-errors.js';
import { serializeError } from '../errors/error.serializer.js';
import type { LocalHandler } from '../handlers/local-handler.js';
import { eventOfRedrive, redriveType } from '../operations/dead-letter-redrive.js';
import { loadBodyHydrator } from '../wire/body-hydrator.js';
import { CatgaPipeline } from './catga-pipeline.js';
import type { CatgaSettings } from './catga-settings.js';
import { CATGA_DISPATCHER, CATGA_OUTBOX_PUBLISHER, CATGA_SETTINGS, CATGA_STORES, CATGA_TRANSPORT } from '../tokens/catga.tokens.js';
import type { ResolvedStores } from './catga.providers.js';

/**
 * Wires the application at bootstrap (after every provider exists) and drains it at shutdown:
 * stop taking messages, let the ones in hand finish, flush the outbox, close the transport.
 */
@Injectable()
export class CatgaBootstrapper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Catga');
  private readonly subscriptions: TransportSubscription[] = [];
  private started = false;
  private stopped = false;

  constructor(
    @Inject(CATGA_SETTINGS) private readonly settings: CatgaSettings,
    @Inject(CATGA_TRANSPORT) private readonly transport: Transport,
    @Inject(CATGA_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Inject(CATGA_OUTBOX_PUBLISHER) private readonly outbox: OutboxPublisher,
    @Inject(CATGA_STORES) private readonly resolvedStores: ResolvedStores,
    private readonly registry: HandlerRegistry,
    private readonly bridge: CqrsBridge,
    private readonly pipeline: CatgaPipeline,
    private readonly lifecycle: CatgaLifecycle,
    private readonly signals: CatgaSignals,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Composed now, so a behavior that cannot be built fails the start rather than the first message.
    this.pipeline.get();
    this.bridge.connect(this.dispatcher, this.settings.serviceName, this.signals);
    this.transport.observe?.(this.signals);
    // Once for every transport: received bodies become instances of their registered classes.
    await loadBodyHydrator();
    await this.transport.start();
    // Answered before anything is taken, and whether or not this instance probes others: a peer
    // asking about a claim of ours must never find nobody home while we hold it.
    await this.transport.liveness?.answer(this.settings.address);
    const group = this.settings.serviceName;
    for (const handler of this.registry.requestTypes()) {
      this.subscriptions.push(await this.transport.serve(handler.type, (envelope) => this.dispatcher.handleRequest(envelope), { group }));
    }
    const durableGroups = new Map<string, Map<string, LocalHandler>>();
    for (const [type, handlers] of this.registry.eventTypes()) {
      for (const handler of handlers) {
        this.subscriptions.push(
          await this.transport.subscribe(type, (envelope) => this.bridge.handleEvent(envelope, handler), {
            group: handler.name,
            mode: handler.broadcast ? 'broadcast' : 'durable',
          }),
        );
        if (!handler.broadcast) durableGroups.set(handler.name, (durableGroups.get(handler.name) ?? new Map()).set(type, handler));
      }
    }
    // Each durable group takes its dead letters back in its own queue (CatgaOperations.redrive).
    for (const [group, byType] of durableGroups) {
      this.subscriptions.push(await this.transport.serve(redriveType(group), (request) => this.redrive(request, byType), { group }));
    }
    this.outbox.startRelay();
    this.logger.log(`${this.settings.serviceName} (${this.settings.instanceId}) ready on ${this.transport.name} transport`);
  }

  /** Handles a dead letter sent back to one of this instance's groups, through the pipeline, as a delivery. */
  private async redrive(request: Envelope, byType: ReadonlyMap<string, LocalHandler>): Promise<Reply> {
    try {
      const event = eventOfRedrive(request.body);
      const handler = byType.get(event.type);
      if (!handler) throw new HandlerNotFoundError(event.type, { messageId: event.id });
      await this.bridge.handleEvent(event, handler);
      return { ok: true, result: { messageId: event.id } };
    } catch (error) {
      return { ok: false, error: serializeError(error, request.id) };
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lifecycle.markDraining();
    // The transport stops taking messages first and lets those already received finish normally;
    // anything arriving after that is refused with a retryable SHUTTING_DOWN.
    await this.transport.drain();
    this.dispatcher.stopInbound();
    const idle = await this.dispatcher.waitForIdle(this.settings.shutdownTimeoutMs);
    if (!idle) {
      this.logger.warn(`Shutdown went on with ${this.dispatcher.inFlightCount} handling(s) still running`);
    }
    await this.outbox.stopRelay();
    await this.outbox.relayOnce(0);
    await this.transport.close();
    await this.resolvedStores.close();
    this.logger.log(`${this.settings.serviceName} (${this.settings.instanceId}) drained and closed`);
  }
}
