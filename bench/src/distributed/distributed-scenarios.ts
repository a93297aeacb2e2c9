import type { DistributedResult } from './distributed-result.js';
import type { DistributedSettings } from './distributed-settings.js';
import type { RunningServer } from './running-server.js';

export interface DistributedScenario {
  readonly name: string;
  /** `request` runs at every `requestInFlight` level; `event` at `eventInFlight`. */
  readonly kind: 'request' | 'event';
  /** The other process: the request server or the event subscriber. */
  readonly startServer: (url: string) => Promise<RunningServer>;
  runClient(url: string, inFlight: number, settings: DistributedSettings): Promise<DistributedResult[]>;
}

export const RAW_NATS_ROW = 'raw-nats';
export const NEST_MICROSERVICES_ROW = 'nest-microservices';
export const CATGA_MICROSERVICES_ROW = 'catga-microservices';
export const CATGA_REQUEST_ROWS = ['catga-default', 'catga-minimal'] as const;
export const RAW_JETSTREAM_ACKED_ROW = 'raw-jetstream-publish';
export const RAW_JETSTREAM_HANDLED_ROW = 'raw-jetstream-handled';

// Every module is imported lazily, so a worker loads only its own scenario: the raw NATS and
// @nestjs/microservices workers must not load Catga.
export const DISTRIBUTED_SCENARIOS: readonly DistributedScenario[] = [
  {
    name: RAW_NATS_ROW,
    kind: 'request',
    startServer: async (url) => (await import('./rpc/raw-nats.server.js')).startRawNatsServer(url),
    runClient: async (url, inFlight, settings) => {
      const { connectRawNatsClient } = await import('./rpc/raw-nats.client.js');
      const { measureRemoteAdd } = await import('./rpc/measure-remote-add.js');
      const row = { scenario: RAW_NATS_ROW, label: 'nats.js request / queue subscribe', baseline: RAW_NATS_ROW };
      return measureRemoteAdd(() => connectRawNatsClient(url), row, inFlight, settings);
    },
  },
  {
    name: NEST_MICROSERVICES_ROW,
    kind: 'request',
    startServer: async (url) => (await import('./rpc/nest-microservices.server.js')).startNestMicroservicesServer(url),
    runClient: async (url, inFlight, settings) => {
      const { connectNestMicroservicesClient } = await import('./rpc/nest-microservices.client.js');
      const { measureRemoteAdd } = await import('./rpc/measure-remote-add.js');
      const row = { scenario: NEST_MICROSERVICES_ROW, label: '@nestjs/microservices NATS send', baseline: RAW_NATS_ROW };
      return measureRemoteAdd(() => connectNestMicroservicesClient(url), row, inFlight, settings);
    },
  },
  {
    name: CATGA_MICROSERVICES_ROW,
    kind: 'request',
    startServer: async (url) => (await import('./rpc/catga-microservices.server.js')).startCatgaMicroservicesServer(url),
    runClient: async (url, inFlight, settings) => {
      const { connectCatgaMicroservicesClient } = await import('./rpc/catga-microservices.client.js');
      const { measureRemoteAdd } = await import('./rpc/measure-remote-add.js');
      const row = {
        scenario: CATGA_MICROSERVICES_ROW,
        label: 'the same @MessagePattern on CatgaServer, CatgaClientProxy send',
        baseline: RAW_NATS_ROW,
      };
      return measureRemoteAdd(() => connectCatgaMicroservicesClient(url), row, inFlight, settings);
    },
  },
  ...(['default', 'minimal'] as const).map((pipeline): DistributedScenario => ({
    name: `catga-${pipeline}`,
    kind: 'request',
    startServer: async (url) => (await import('./rpc/catga.server.js')).startCatgaServer(url, pipeline),
    runClient: async (url, inFlight, settings) => {
      const { connectCatgaClient } = await import('./rpc/catga.client.js');
      const { measureRemoteAdd } = await import('./rpc/measure-remote-add.js');
      const row = { scenario: `catga-${pipeline}`, label: `Catga send, server ${pipeline} pipeline`, baseline: RAW_NATS_ROW };
      return measureRemoteAdd(() => connectCatgaClient(url), row, inFlight, settings);
    },
  })),
  {
    name: 'raw-jetstream',
    kind: 'event',
    startServer: async (url) => (await import('./events/raw-jetstream.subscriber.js')).startRawJetStreamSubscriber(url),
    runClient: async (url, inFlight, settings) => {
      const { runRawJetStreamPublisher } = await import('./events/raw-jetstream.publisher.js');
      return runRawJetStreamPublisher(url, inFlight, settings, {
        acked: { scenario: RAW_JETSTREAM_ACKED_ROW, label: 'JetStream js.publish, acked', baseline: RAW_JETSTREAM_ACKED_ROW },
        handled: {
          scenario: RAW_JETSTREAM_HANDLED_ROW,
          label: 'JetStream js.publish -> consume() + ack',
          baseline: RAW_JETSTREAM_HANDLED_ROW,
        },
      });
    },
  },
  {
    name: 'catga-events',
    kind: 'event',
    startServer: async (url) => (await import('./events/catga-events.subscriber.js')).startCatgaEventsSubscriber(url),
    runClient: async (url, inFlight, settings) => {
      const { runCatgaPublisher } = await import('./events/catga-events.publisher.js');
      return runCatgaPublisher(url, inFlight, settings, {
        acked: { scenario: 'catga-publish', label: 'Catga publish, acked', baseline: RAW_JETSTREAM_ACKED_ROW },
        handled: {
          scenario: 'catga-publish-handled',
          label: 'Catga publish -> @EventsHandler (default pipeline)',
          baseline: RAW_JETSTREAM_HANDLED_ROW,
        },
      });
    },
  },
];

export function distributedScenarioNamed(name: string): DistributedScenario | undefined {
  return DISTRIBUTED_SCENARIOS.find((s) => s.name === name);
}
