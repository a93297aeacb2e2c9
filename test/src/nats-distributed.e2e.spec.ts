import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Broadcast,
  CatgaError,
  CatgaMediator,
  CatgaModule,
  type CatgaModuleOptions,
  ErrorCode,
  MessageType,
  ValidationFailedError,
} from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandBus, CommandHandler, EventBus, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { IsInt, IsString, Min } from 'class-validator';

@ErrorCode('DIST_OUT_OF_STOCK', { retryable: false })
class OutOfStockError extends CatgaError {}

@MessageType('dist.reserve')
class Reserve extends Command<{ reserved: number }> {
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;
  constructor(sku: string, quantity: number) {
    super();
    this.sku = sku;
    this.quantity = quantity;
  }
}

@MessageType('dist.reserved')
class Reserved {
  constructor(
    readonly sku: string,
    readonly quantity: number,
  ) {}
}

@MessageType('dist.audit')
class Audited {
  constructor(readonly n: number) {}
}

@MessageType('dist.price-changed')
class PriceChanged {
  constructor(readonly sku: string) {}
}

const invalidated: string[] = [];

@Broadcast()
@EventsHandler(PriceChanged)
class PriceCacheHandler implements IEventHandler<PriceChanged> {
  handle(e: PriceChanged): void {
    invalidated.push(e.sku);
  }
}

const effects: string[] = [];
const seenReserved: Array<{ sku: string; quantity: number }> = [];
const audited: number[] = [];
let auditFailures = 0;

@CommandHandler(Reserve)
class ReserveHandler implements ICommandHandler<Reserve> {
  constructor(private readonly events: EventBus) {}
  async execute(c: Reserve): Promise<{ reserved: number }> {
    this.events.publish(new Reserved(c.sku, c.quantity));
    if (c.quantity > 100) throw new OutOfStockError(`Only 100 of ${c.sku}`, { details: { sku: c.sku } });
    effects.push(`${c.sku}:${c.quantity}`);
    return { reserved: c.quantity };
  }
}

@EventsHandler(Reserved)
class ReservedHandler implements IEventHandler<Reserved> {
  handle(e: Reserved): void {
    seenReserved.push({ sku: e.sku, quantity: e.quantity });
  }
}

@EventsHandler(Audited)
class AuditHandler implements IEventHandler<Audited> {
  handle(e: Audited): void {
    if (e.n < 0) {
      auditFailures++;
      throw new Error(`cannot audit ${e.n}`);
    }
    audited.push(e.n);
  }
}

describe('two services over NATS', () => {
  let nats: NatsServerHandle;
  let caller: INestApplicationContext;
  let inventory: INestApplicationContext;
  let shopReplica: INestApplicationContext;
  let shopReplica2: INestApplicationContext;
  const prefix = `dist${uniqueSuffix()}`;

  async function boot(serviceName: string, providers: Provider[], extra: Partial<CatgaModuleOptions> = {}) {
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName,
          transport: natsTransport({
            servers: nats.url,
            subjectPrefix: prefix,
            consumer: { maxDeliveries: 3, redeliveryDelayMs: 20 },
          }),
          ...extra,
        }),
      ],
      providers,
    })
    class ServiceModule {}
    const app = await NestFactory.createApplicationContext(ServiceModule, { logger: ['error'] });
    await app.init();
    return app;
  }

  before(async () => {
    nats = await startNatsServer();
    inventory = await boot('inventory', [ReserveHandler, AuditHandler], { pipeline: { retry: false } });
    caller = await boot('shop', [ReservedHandler]);
    shopReplica = await boot('shop', [ReservedHandler, PriceCacheHandler]);
    shopReplica2 = await boot('shop', [PriceCacheHandler]);
  });

  after(async () => {
    await caller?.close();
    await shopReplica?.close();
    await shopReplica2?.close();
    await inventory?.close();
    await nats?.stop();
  });

  it('CommandBus.execute in one service runs the handler of another and returns its result', async () => {
    const result = await caller.get(CommandBus).execute(new Reserve('sku-1', 3));
    assert.deepEqual(result, { reserved: 3 });
    assert.ok(effects.includes('sku-1:3'));
  });

  it('a business error comes back as the same error class', async () => {
    await assert.rejects(caller.get(CatgaMediator).send(new Reserve('sku-2', 500)), (e: unknown) => {
      assert.ok(e instanceof OutOfStockError, `got ${String(e)}`);
      assert.equal(e.code, 'DIST_OUT_OF_STOCK');
      assert.deepEqual(e.details, { sku: 'sku-2' });
      return true;
    });
  });

  it('a message failing validation on arrival gets VALIDATION_FAILED back', async () => {
    await assert.rejects(caller.get(CatgaMediator).send(new Reserve('sku-3', 0)), (e: unknown) => {
      assert.ok(e instanceof ValidationFailedError, `got ${String(e)}`);
      assert.deepEqual(
        e.issues.map((i) => i.property),
        ['quantity'],
      );
      return true;
    });
    assert.ok(!effects.some((x) => x.startsWith('sku-3')));
  });

  it('the same message id sent twice has its effect once and returns the first outcome', async () => {
    const mediator = caller.get(CatgaMediator);
    const id = `reserve-${uniqueSuffix()}`;
    const a = await mediator.send(new Reserve('sku-4', 7), { messageId: id });
    const b = await mediator.send(new Reserve('sku-4', 7), { messageId: id });
    assert.deepEqual(a, b);
    assert.equal(effects.filter((x) => x === 'sku-4:7').length, 1);
  });

  it('an event raised by a command reaches the other service, and a failed command raises none', async () => {
    await caller.get(CatgaMediator).send(new Reserve('sku-5', 2));
    await assert.rejects(caller.get(CatgaMediator).send(new Reserve('sku-6', 999)), OutOfStockError);
    await eventually(() => assert.ok(seenReserved.some((e) => e.sku === 'sku-5')), 10_000);
    // Give the failed one every chance to leak: a later event published after it must arrive first.
    await caller.get(CatgaMediator).send(new Reserve('sku-7', 1));
    await eventually(() => assert.ok(seenReserved.some((e) => e.sku === 'sku-7')), 10_000);
    assert.ok(!seenReserved.some((e) => e.sku === 'sku-6'));
  });

  it('a @Broadcast() handler receives each event on every replica of its service', async () => {
    await caller.get(CatgaMediator).publish(new PriceChanged('sku-b'));
    await eventually(() => assert.deepEqual(invalidated.filter((s) => s === 'sku-b').length, 2), 10_000);
  });

  it('a durable handler gets each event once even with several replicas of its service', async () => {
    const before = seenReserved.filter((e) => e.sku === 'sku-once').length;
    await caller.get(CatgaMediator).send(new Reserve('sku-once', 1));
    await eventually(() => assert.equal(seenReserved.filter((e) => e.sku === 'sku-once').length - before, 1), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seenReserved.filter((e) => e.sku === 'sku-once').length - before, 1);
  });

  it('an event published twice with the same message id is handled once', async () => {
    const mediator = caller.get(CatgaMediator);
    const id = `audit-${uniqueSuffix()}`;
    await mediator.publish(new Audited(41), { messageId: id });
    await mediator.publish(new Audited(41), { messageId: id });
    await mediator.publish(new Audited(42));
    await eventually(() => assert.ok(audited.includes(42)), 10_000);
    await eventually(() => assert.equal(audited.filter((n) => n === 41).length, 1), 2_000);
  });

  it('a failing event handler is retried, then dead-lettered, and does not block the events behind it', async () => {
    const mediator = caller.get(CatgaMediator);
    const before = auditFailures;
    await mediator.publish(new Audited(-1));
    await mediator.publish(new Audited(7));
    await eventually(() => assert.ok(audited.includes(7)), 10_000);
    await eventually(() => assert.equal(auditFailures - before, 3), 10_000);
  });
});
