import type { Provider } from '@nestjs/common';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import { PeerLiveness } from '../liveness/peer-liveness.js';
import { Dispatcher } from '../mediator/dispatcher.js';
import { HandlerSightings } from '../mediator/handler-sightings.js';
import { OutboxPublisher } from '../outbox/outbox.publisher.js';
import { InMemoryEventStreamStore } from '../stores/event-stream/in-memory-event-stream.store.js';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import { InMemoryIdempotencyStore } from '../stores/idempotency/in-memory-idempotency.store.js';
import { InMemoryOutboxStore } from '../stores/outbox/in-memory-outbox.store.js';
import type { OutboxStore } from '../stores/outbox/outbox-store.interface.js';
import { InMemorySagaStore } from '../stores/saga/in-memory-saga.store.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import type { Transport } from '../transport/transport.interface.js';
import { TrafficMeter } from '../traffic/traffic-meter.js';
import type { CatgaModuleOptions, CatgaStores } from './catga-options.interface.js';
import { CatgaPipeline, createBuiltinBehaviors } from './catga-pipeline.js';
import { resolveSettings, type CatgaSettings } from './catga-settings.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import {
  CATGA_BUILTIN_BEHAVIORS,
  CATGA_CLUSTER_SETTINGS,
  CATGA_DISPATCHER,
  CATGA_EVENT_STREAM_STORE,
  CATGA_IDEMPOTENCY_STORE,
  CATGA_MODULE_OPTIONS,
  CATGA_OUTBOX_PUBLISHER,
  CATGA_OUTBOX_STORE,
  CATGA_SAGA_SETTINGS,
  CATGA_SAGA_STORE,
  CATGA_SETTINGS,
  CATGA_STORES,
  CATGA_TRANSPORT,
} from '../tokens/catga.tokens.js';

const NATS_PACKAGE = '@catga/nats';
const REDIS_PACKAGE = '@catga/redis';

/** The stores, and what to close at shutdown when Catga opened the connection itself. */
export interface ResolvedStores {
  stores: Required<CatgaStores>;
  close(): Promise<void>;
}

async function createStores(options: CatgaModuleOptions): Promise<ResolvedStores> {
  const given = options.stores ?? {};
  let fromEnv: (Required<CatgaStores> & { close(): Promise<void> }) | undefined;
  const missing = !given.idempotency || !given.saga || !given.outbox || !given.eventStream;
  if (missing && process.env.CATGA_REDIS_URL) {
    let redis: { redisStoresFromEnv(): Required<CatgaStores> & { close(): Promise<void> } };
    try {
      redis = (await import(REDIS_PACKAGE)) as typeof redis;
    } catch (error) {
      throw new Error(`CATGA_REDIS_URL is set but ${REDIS_PACKAGE} cannot be loaded; install it (${String(error)})`);
    }
    fromEnv = redis.redisStoresFromEnv();
  }
  return {
    stores: {
      idempotency: given.idempotency ?? fromEnv?.idempotency ?? new InMemoryIdempotencyStore(),
      saga: given.saga ?? fromEnv?.saga ?? new InMemorySagaStore(),
      outbox: given.outbox ?? fromEnv?.outbox ?? new InMemoryOutboxStore(),
      eventStream: given.eventStream ?? fromEnv?.eventStream ?? new InMemoryEventStreamStore(),
    },
    close: async () => {
      await fromEnv?.close();
      await given.close?.();
    },
  };
}

async function createTransport(options: CatgaModuleOptions, settings: CatgaSettings): Promise<Transport> {
  const context = { serviceName: settings.serviceName, instanceId: settings.instanceId };
  if (typeof options.transport === 'function') return options.transport(context);
  if (options.transport) return options.transport;
  const natsUrl = process.env.CATGA_NATS_URL;
  if (natsUrl) {
    let nats: { natsTransportFromEnv(context: { serviceName: string; instanceId: string }): Transport };
    try {
      nats = (await import(NATS_PACKAGE)) as typeof nats;
    } catch (error) {
      throw new Error(`CATGA_NATS_URL is set but ${NATS_PACKAGE} cannot be loaded; install it (${String(error)})`);
    }
    return nats.natsTransportFromEnv(context);
  }
  // A broker per application: two apps in one process (tests) do not reach each other unless told to.
  return new InMemoryTransport({ broker: new InMemoryBroker() });
}

const meters = (s: CatgaSettings, transport: Transport) => s.cluster.enabled && transport.presence !== undefined;

/** Everything CatgaModule provides, built from `CATGA_MODULE_OPTIONS`. */
export function createCatgaProviders(): Provider[] {
  return [
    {
      provide: CATGA_SETTINGS,
      useFactory: (options: CatgaModuleOptions) => resolveSettings(options),
      inject: [CATGA_MODULE_OPTIONS],
    },
    { provide: CATGA_SAGA_SETTINGS, useFactory: (s: CatgaSettings) => s.saga, inject: [CATGA_SETTINGS] },
    { provide: CATGA_CLUSTER_SETTINGS, useFactory: (s: CatgaSettings) => s.cluster, inject: [CATGA_SETTINGS] },
    {
      provide: CATGA_TRANSPORT,
      useFactory: (options: CatgaModuleOptions, settings: CatgaSettings) => createTransport(options, settings),
      inject: [CATGA_MODULE_OPTIONS, CATGA_SETTINGS],
    },
    {
      provide: CATGA_STORES,
      useFactory: (o: CatgaModuleOptions) => createStores(o),
      inject: [CATGA_MODULE_OPTIONS],
    },
    { provide: CATGA_IDEMPOTENCY_STORE, useFactory: (r: ResolvedStores) => r.stores.idempotency, inject: [CATGA_STORES] },
    { provide: CATGA_SAGA_STORE, useFactory: (r: ResolvedStores) => r.stores.saga, inject: [CATGA_STORES] },
    { provide: CATGA_OUTBOX_STORE, useFactory: (r: ResolvedStores) => r.stores.outbox, inject: [CATGA_STORES] },
    { provide: CATGA_EVENT_STREAM_STORE, useFactory: (r: ResolvedStores) => r.stores.eventStream, inject: [CATGA_STORES] },
    {
      provide: CATGA_OUTBOX_PUBLISHER,
      useFactory: (s: CatgaSettings, store: OutboxStore, transport: Transport, signals: CatgaSignals) =>
        new OutboxPublisher(store, transport, s.instanceId, s.outbox, signals),
      inject: [CATGA_SETTINGS, CATGA_OUTBOX_STORE, CATGA_TRANSPORT, CatgaSignals],
    },
    {
      provide: PeerLiveness,
      useFactory: (s: CatgaSettings, transport: Transport) => new PeerLiveness(transport.liveness, s.address, s.failover),
      inject: [CATGA_SETTINGS, CATGA_TRANSPORT],
    },
    {
      provide: CATGA_BUILTIN_BEHAVIORS,
      useFactory: (s: CatgaSettings, liveness: PeerLiveness, store: IdempotencyStore, outbox: OutboxPublisher, signals: CatgaSignals) =>
        createBuiltinBehaviors(s.pipeline, liveness, store, outbox, signals),
      inject: [CATGA_SETTINGS, PeerLiveness, CATGA_IDEMPOTENCY_STORE, CATGA_OUTBOX_PUBLISHER, CatgaSignals],
    },
    HandlerRegistry,
    CatgaPipeline,
    { provide: CatgaSignals, useFactory: () => new CatgaSignals() },
    {
      provide: TrafficMeter,
      useFactory: (signals: CatgaSignals) => {
        const meter = new TrafficMeter();
        meter.observe(signals);
        return meter;
      },
      inject: [CatgaSignals],
    },
    {
      provide: HandlerSightings,
      useFactory: (s: CatgaSettings, transport: Transport) => new HandlerSightings(s.cluster.enabled && transport.presence !== undefined),
      inject: [CATGA_SETTINGS, CATGA_TRANSPORT],
    },
    {
      provide: CATGA_DISPATCHER,
      useFactory: (
        registry: HandlerRegistry,
        transport: Transport,
        pipeline: CatgaPipeline,
        s: CatgaSettings,
        signals: CatgaSignals,
        sightings: HandlerSightings,
        traffic: TrafficMeter,
      ) =>
        // Metered only for the announcements: with no presence channel nobody would read it.
        new Dispatcher(registry, transport, () => pipeline.get(), s, signals, sightings, meters(s, transport) ? traffic : undefined),
      inject: [HandlerRegistry, CATGA_TRANSPORT, CatgaPipeline, CATGA_SETTINGS, CatgaSignals, HandlerSightings, TrafficMeter],
    },
  ];
}
