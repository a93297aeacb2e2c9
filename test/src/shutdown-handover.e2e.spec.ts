import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType, type Transport, type TransportContext } from '@catga/core';
import { CatgaSignals } from '@catga/core/transport';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { InMemoryBroker, InMemoryTransport } from '@catga/core/testing';
import { NatsTransport } from '@catga/nats';
import { RedisStreamsTransport } from '@catga/redis';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Inject, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Redis } from 'ioredis';

const MAX_DELIVERIES = 2;
/** Events in hand on the replica when it is told to stop. */
const IN_HAND = 4;
/** Events published while it drains. */
const DURING_DRAIN = 6;
const WAIT_MS = 20_000;
const REPLICA = Symbol('replica');

@MessageType('handover.noted')
class Noted {
  constructor(readonly n: number) {}
}

interface Delivered {
  readonly replica: string;
  readonly n: number;
  readonly attempt: number;
}

/** What every replica of the current run saw, and the gate holding the first replica's handlings. */
const run = {
  delivered: [] as Delivered[],
  handled: [] as Array<{ replica: string; n: number }>,
  deadLettered: [] as string[],
  held: 0,
  release: (): void => undefined,
  gate: Promise.resolve(),
};

function newRun(): void {
  run.delivered = [];
  run.handled = [];
  run.deadLettered = [];
  run.held = 0;
  run.gate = new Promise<void>((resolve) => (run.release = resolve));
}

@EventsHandler(Noted)
class NotedHandler implements IEventHandler<Noted> {
  constructor(@Inject(REPLICA) private readonly replica: string) {}
  async handle(event: Noted): Promise<void> {
    if (this.replica === 'first') {
      run.held++;
      await run.gate;
    }
    run.handled.push({ replica: this.replica, n: event.n });
  }
}

/** The transport, with each delivery's attempt number noted before the application handles it. */
function noting(transport: Transport, replica: string): Transport {
  const subscribe = transport.subscribe.bind(transport);
  transport.subscribe = (type, handler, options) =>
    subscribe(
      type,
      (envelope, delivery) => {
        run.delivered.push({ replica, n: (envelope.body as Noted).n, attempt: delivery.attempt });
        return handler(envelope, delivery);
      },
      options,
    );
  return transport;
}

interface Carrier {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A transport for one instance of this run (all instances of a run share subjects or keys). */
  transport(context: TransportContext): Transport;
  newRun(): void;
}

function natsCarrier(): Carrier {
  let server: NatsServerHandle | undefined;
  let prefix = '';
  return {
    name: 'NATS JetStream',
    start: async () => void (server = await startNatsServer()),
    stop: async () => server?.stop(),
    newRun: () => void (prefix = `handover${uniqueSuffix()}`),
    transport: (context) =>
      new NatsTransport({
        servers: server!.url,
        subjectPrefix: prefix,
        name: `${context.serviceName}:${context.instanceId}`,
        consumer: { maxDeliveries: MAX_DELIVERIES, concurrency: 16, ackWaitMs: 5_000, redeliveryDelayMs: 20 },
      }),
  };
}

function redisCarrier(): Carrier {
  let server: RedisServerHandle | undefined;
  let keyPrefix = '';
  return {
    name: 'Redis Streams',
    start: async () => void (server = await startRedisServer()),
    stop: async () => server?.stop(),
    newRun: () => void (keyPrefix = `handover${uniqueSuffix()}`),
    transport: (context) =>
      new RedisStreamsTransport({
        client: new Redis(server!.url),
        closeClient: true,
        keyPrefix,
        instanceId: `${context.serviceName}-${context.instanceId}`,
        maxDeliveries: MAX_DELIVERIES,
        concurrency: 16,
        blockMs: 200,
        ackWaitMs: 1_000,
        redeliveryDelayMs: 20,
      }),
  };
}

function inMemoryCarrier(): Carrier {
  let broker = new InMemoryBroker();
  return {
    name: 'in-memory',
    start: async () => undefined,
    stop: async () => undefined,
    newRun: () => void (broker = new InMemoryBroker()),
    transport: () => new InMemoryTransport({ broker, maxDeliveries: MAX_DELIVERIES, redeliveryDelayMs: 20 }),
  };
}

for (const carrier of [natsCarrier(), redisCarrier(), inMemoryCarrier()]) {
  describe(`shutdown hands over the events in hand (${carrier.name})`, () => {
    const apps: INestApplicationContext[] = [];

    async function replica(name: string): Promise<INestApplicationContext> {
      @Module({
        imports: [
          CatgaModule.forRoot({
            serviceName: 'handover',
            instanceId: name,
            transport: (context) => noting(carrier.transport(context), name),
            cluster: false,
          }),
        ],
        providers: [{ provide: REPLICA, useValue: name }, NotedHandler],
      })
      class ReplicaModule {}
      const app = await NestFactory.createApplicationContext(ReplicaModule, { logger: ['error'] });
      apps.push(app);
      app.get(CatgaSignals).on('deadLettered', (signal) => void run.deadLettered.push(`${name}: ${signal.messageId} ${signal.error.code}`));
      await app.init();
      return app;
    }

    async function publisher(): Promise<CatgaMediator> {
      @Module({ imports: [CatgaModule.forRoot({ serviceName: 'handover-publisher', transport: carrier.transport, cluster: false })] })
      class PublisherModule {}
      const app = await NestFactory.createApplicationContext(PublisherModule, { logger: ['error'] });
      apps.push(app);
      await app.init();
      return app.get(CatgaMediator);
    }

    /**
     * Closes `first` (what SIGTERM does) with IN_HAND events in its handlers and DURING_DRAIN more
     * published meanwhile; `beforeClose` runs once the first has its events in hand.
     */
    async function closeWithEventsInHand(
      first: INestApplicationContext,
      mediator: CatgaMediator,
      beforeClose: () => Promise<unknown> = async () => undefined,
    ): Promise<void> {
      for (let n = 0; n < IN_HAND; n++) await mediator.publish(new Noted(n));
      await eventually(() => assert.equal(run.held, IN_HAND), WAIT_MS);
      await beforeClose();
      const closing = first.close();
      for (let n = IN_HAND; n < IN_HAND + DURING_DRAIN; n++) await mediator.publish(new Noted(n));
      run.release();
      await closing;
    }

    function assertEachHandledOnce(): void {
      const all = Array.from({ length: IN_HAND + DURING_DRAIN }, (_, n) => n);
      assert.deepEqual(
        run.handled.map((h) => h.n).sort((a, b) => a - b),
        all,
        'each event handled exactly once',
      );
      assert.deepEqual(run.deadLettered, [], 'none dead-lettered');
      assert.deepEqual(
        run.delivered.filter((d) => d.attempt > MAX_DELIVERIES),
        [],
        'no delivery count above maxDeliveries',
      );
      assert.deepEqual(
        run.delivered.filter((d) => d.attempt !== 1),
        [],
        'the drain spent no delivery',
      );
    }

    before(() => carrier.start());

    after(async () => {
      await Promise.allSettled(apps.map((app) => app.close()));
      await carrier.stop();
    });

    it('the only replica stopping: every event in hand or arriving is handled once, by it or the instance started after it', async () => {
      carrier.newRun();
      newRun();
      const mediator = await publisher();
      const first = await replica('first');
      await closeWithEventsInHand(first, mediator);
      await replica('next');
      await eventually(() => assert.equal(run.handled.length, IN_HAND + DURING_DRAIN), WAIT_MS);
      assertEachHandledOnce();
    });

    it('one of two replicas stopping: every event in hand or arriving is handled once, by it or the other', async () => {
      carrier.newRun();
      newRun();
      const mediator = await publisher();
      const first = await replica('first');
      // The other joins once the first has its events in hand, so those are the first's.
      await closeWithEventsInHand(first, mediator, () => replica('other'));
      await eventually(() => assert.equal(run.handled.length, IN_HAND + DURING_DRAIN), WAIT_MS);
      assertEachHandledOnce();
    });
  });
}
