import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATGA_TRANSPORT, CatgaMediator, CatgaModule, MessageType } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { NatsTransport, natsTransport } from '@catga/nats';
import { startNatsCluster, type NatsClusterHandle } from '@catga/testing';
import { Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';

@MessageType('cluster.tick')
class Tick extends Command<number> {
  constructor(readonly n: number) {
    super();
  }
}

@MessageType('cluster.ticked')
class Ticked {
  constructor(readonly n: number) {}
}

const ticks = new Map<number, number>();
const ticked = new Map<number, number>();

@CommandHandler(Tick)
class TickHandler implements ICommandHandler<Tick> {
  async execute(c: Tick): Promise<number> {
    ticks.set(c.n, (ticks.get(c.n) ?? 0) + 1);
    return c.n;
  }
}

@EventsHandler(Ticked)
class TickedHandler implements IEventHandler<Ticked> {
  handle(e: Ticked): void {
    ticked.set(e.n, (ticked.get(e.n) ?? 0) + 1);
  }
}

describe('a NATS cluster node dying under load', () => {
  let cluster: NatsClusterHandle;
  const apps: INestApplicationContext[] = [];
  const prefix = `cl${uniqueSuffix()}`;

  async function boot(serviceName: string, providers: Provider[]) {
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName,
          // The first server is the one to die; no shuffling, so every client starts on it.
          transport: natsTransport({
            servers: cluster.urls,
            subjectPrefix: prefix,
            attemptTimeoutMs: 1_000,
            noRespondersTimeoutMs: 10_000,
            publishTimeoutMs: 30_000,
            reconnectTimeWaitMs: 250,
            stream: { replicas: 3 },
            connection: { noRandomize: true },
          }),
          requestTimeoutMs: 60_000,
        }),
      ],
      providers,
    })
    class ClusterServiceModule {}
    const app = await NestFactory.createApplicationContext(ClusterServiceModule, { logger: ['error'] });
    await app.init();
    apps.push(app);
    return app;
  }

  before(async () => {
    cluster = await startNatsCluster({ size: 3 });
  });

  after(async () => {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await cluster?.stop();
  });

  it('clients reconnect to the other nodes: no command fails for its caller, no event is lost', async () => {
    await boot('ticker', [TickHandler, TickedHandler]);
    const caller = await boot('caller', []);
    const mediator = caller.get(CatgaMediator);
    const connection = (caller.get(CATGA_TRANSPORT) as NatsTransport).connection;
    assert.equal(connection.info?.port, cluster.servers[0]!.port, 'the caller starts on the node to be killed');

    let killedAt = 0;
    let reconnectedAt = 0;
    void (async () => {
      for await (const s of connection.status()) if (s.type === 'reconnect' && killedAt && !reconnectedAt) reconnectedAt = Date.now();
    })();

    const TOTAL = 600;
    const failures: unknown[] = [];
    let next = 0;
    let done = 0;
    let killing: Promise<unknown> | undefined;
    const worker = async () => {
      while (next < TOTAL) {
        const n = next++;
        try {
          assert.equal(await mediator.send(new Tick(n), { messageId: `${prefix}-tick-${n}` }), n);
          await mediator.publish(new Ticked(n), { messageId: `${prefix}-ticked-${n}` });
        } catch (error) {
          failures.push(error);
        }
        if (++done === TOTAL / 3) {
          killedAt = Date.now();
          killing = cluster.kill(0);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await killing;

    assert.deepEqual(failures.map(String), []);
    assert.equal(ticks.size, TOTAL);
    assert.ok(
      [...ticks.values()].every((c) => c === 1),
      'each command applied once',
    );
    await eventually(() => assert.equal(ticked.size, TOTAL), 60_000, 100);
    assert.ok(
      [...ticked.values()].every((c) => c === 1),
      'each event handled once',
    );
    assert.notEqual(connection.info?.port, cluster.servers[0]!.port, 'the caller moved to another node');
    assert.ok(reconnectedAt > 0, 'a reconnect was seen');
    console.log(
      `NATS node killed: caller reconnected after ${reconnectedAt - killedAt} ms; ${TOTAL} commands and events, none failed or lost`,
    );
  });
});
