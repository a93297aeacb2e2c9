import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CqrsBridge } from '../bridge/cqrs.bridge.js';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import { CatgaLifecycle } from '../lifecycle/catga-lifecycle.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import type { OutboxPublisher } from '../outbox/outbox.publisher.js';
import type { Transport, TransportSubscription } from '../transport/transport.interface.js';
import { RedriveServer } from '../operations/redrive-server.js';
import { loadBodyHydrator } from '../wire/body-hydrator.js';
import { CatgaPipeline } from './catga-pipeline.js';
import { CatgaEndpoints } from './catga-endpoints.js';
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
    private readonly endpoints: CatgaEndpoints,
    private readonly redrives: RedriveServer,
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
    const requestHandlers = [...this.registry.requestTypes()];
    // From this moment CatgaEndpoints serves what is added itself: nothing falls between the two.
    const endpointsStarted = this.endpoints.start();
    // Awaited below; a failure meanwhile must not count as an unhandled rejection.
    endpointsStarted.catch(() => undefined);
    for (const handler of requestHandlers) {
      this.subscriptions.push(await this.transport.serve(handler.type, (envelope) => this.dispatcher.handleRequest(envelope), { group }));
    }
    for (const [type, handlers] of this.registry.eventTypes()) {
      for (const handler of handlers) {
        this.subscriptions.push(
          await this.transport.subscribe(type, (envelope) => this.bridge.handleEvent(envelope, handler), {
            group: handler.name,
            mode: handler.broadcast ? 'broadcast' : 'durable',
          }),
        );
        if (handler.broadcast) continue;
        // The group takes its dead letters back in its own queue (CatgaOperations.redrive).
        const redrive = await this.redrives.add(handler.name, type, (event) => this.bridge.handleEvent(event, handler));
        if (redrive) this.subscriptions.push(redrive);
      }
    }
    await endpointsStarted;
    this.outbox.startRelay();
    this.logger.log(`${this.settings.serviceName} (${this.settings.instanceId}) ready on ${this.transport.name} transport`);
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
