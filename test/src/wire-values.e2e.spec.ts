import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaModule, MessageType, type CatgaModuleOptions } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { InMemoryBroker, InMemoryTransport } from '@catga/core/testing';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandBus, CommandHandler, EventBus, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';

interface Statement {
  issuedAt: Date;
  total: bigint;
  currencies: Set<string>;
  perDay: Map<string, number>;
  gaps: Array<number | undefined>;
}

const ISSUED = new Date('2026-12-01T09:30:00.000Z');

@MessageType('wv.statement')
class GetStatement extends Command<Statement> {
  constructor(readonly since: Date) {
    super();
  }
}

@MessageType('wv.statement-sent')
class StatementSent {
  constructor(
    readonly at: Date,
    readonly total: bigint,
  ) {}
}

/** What the handler received, as it received it. */
const seen: { since?: unknown; sent?: StatementSent } = {};

@CommandHandler(GetStatement)
class StatementHandler implements ICommandHandler<GetStatement> {
  constructor(private readonly events: EventBus) {}
  async execute(command: GetStatement): Promise<Statement> {
    seen.since = command.since;
    this.events.publish(new StatementSent(ISSUED, 10n ** 20n));
    return {
      issuedAt: ISSUED,
      total: 10n ** 20n,
      currencies: new Set(['EUR', 'USD']),
      perDay: new Map([['2026-11-30', 3]]),
      gaps: [1, undefined, 2],
    };
  }
}

@EventsHandler(StatementSent)
class StatementSentHandler implements IEventHandler<StatementSent> {
  handle(event: StatementSent): void {
    seen.sent = event;
  }
}

/** One suite, two carriers: whatever a test on in-memory parts sees is what production sees. */
function wireValuesSuite(name: string, options: () => { caller: Partial<CatgaModuleOptions>; handler: Partial<CatgaModuleOptions> }) {
  describe(name, () => {
    let caller: INestApplicationContext;
    let handler: INestApplicationContext;
    const boot = async (serviceName: string, extra: Partial<CatgaModuleOptions>, providers: Array<new (...args: never[]) => unknown>) => {
      @Module({ imports: [CatgaModule.forRoot({ serviceName, ...extra })], providers })
      class ServiceModule {}
      const app = await NestFactory.createApplicationContext(ServiceModule, { logger: false });
      await app.init();
      return app;
    };
    before(async () => {
      delete seen.since;
      delete seen.sent;
      const { caller: callerOptions, handler: handlerOptions } = options();
      handler = await boot('wv-statements', handlerOptions, [StatementHandler]);
      caller = await boot('wv-api', callerOptions, [StatementSentHandler]);
    });
    after(async () => {
      await caller?.close();
      await handler?.close();
    });

    it('a body, a result and an event keep their Dates, BigInts, Sets, Maps and undefined entries across the hop', async () => {
      const since = new Date('2026-11-01T00:00:00.000Z');
      const statement = await caller.get(CommandBus).execute(new GetStatement(since));
      assert.ok(seen.since instanceof Date, `the handler got ${typeof seen.since}`);
      assert.equal((seen.since as Date).getTime(), since.getTime());
      assert.ok(statement.issuedAt instanceof Date);
      assert.deepEqual(statement, {
        issuedAt: ISSUED,
        total: 10n ** 20n,
        currencies: new Set(['EUR', 'USD']),
        perDay: new Map([['2026-11-30', 3]]),
        gaps: [1, undefined, 2],
      });
      await eventually(() => assert.ok(seen.sent), 10_000);
      assert.ok(seen.sent!.at instanceof Date);
      assert.equal(seen.sent!.total, 10n ** 20n);
      assert.ok(seen.sent instanceof StatementSent);
    });
  });
}

wireValuesSuite('values across the in-memory transport (two apps, one broker)', () => {
  const broker = new InMemoryBroker();
  const transport = () => new InMemoryTransport({ broker });
  return { caller: { transport }, handler: { transport } };
});

describe('values across NATS', () => {
  let nats: NatsServerHandle;
  before(async () => {
    nats = await startNatsServer();
  });
  after(async () => {
    await nats?.stop();
  });
  wireValuesSuite('two services', () => {
    const prefix = `wv${uniqueSuffix()}`;
    const transport = () => natsTransport({ servers: nats.url, subjectPrefix: prefix });
    return { caller: { transport: transport() }, handler: { transport: transport() } };
  });
});
