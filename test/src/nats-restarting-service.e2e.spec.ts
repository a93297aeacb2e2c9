import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaCluster, CatgaMediator, CatgaModule, HandlerNotFoundError, MessageType, TimeoutError, type Transport } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

@MessageType('restarting.charge')
class Charge extends Command<{ charged: string }> {
  constructor(readonly orderId: string) {
    super();
  }
}

@MessageType('restarting.refund')
class Refund extends Command<{ refunded: string }> {
  constructor(readonly orderId: string) {
    super();
  }
}

@MessageType('restarting.never-served')
class NeverServed extends Command<void> {}

const charged: string[] = [];

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  execute(c: Charge): Promise<{ charged: string }> {
    charged.push(c.orderId);
    return Promise.resolve({ charged: c.orderId });
  }
}

@CommandHandler(Refund)
class RefundHandler implements ICommandHandler<Refund> {
  execute(c: Refund): Promise<{ refunded: string }> {
    return Promise.resolve({ refunded: c.orderId });
  }
}

describe('a caller while the only replica of a service restarts (NATS)', () => {
  let nats: NatsServerHandle;
  let caller: INestApplicationContext;
  let payments: INestApplicationContext | undefined;
  let replicas = 0;
  /** Times the caller's transport found no server for a type ("no responders"). */
  let refusals = 0;
  const prefix = `restart${uniqueSuffix()}`;

  async function boot(serviceName: string, instanceId: string, providers: Provider[], countRefusals = false) {
    const transport = natsTransport({ servers: nats.url, subjectPrefix: prefix });
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName,
          instanceId,
          transport: (context) => {
            const t: Transport = transport(context);
            if (!countRefusals) return t;
            const request = t.request.bind(t);
            t.request = async (envelope, options) => {
              try {
                return await request(envelope, options);
              } catch (error) {
                if (error instanceof HandlerNotFoundError) refusals++;
                throw error;
              }
            };
            return t;
          },
        }),
      ],
      providers,
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    return app;
  }

  async function startPayments(): Promise<void> {
    payments = await boot('payments', `payments-${++replicas}`, [ChargeHandler, RefundHandler]);
    const instance = `payments-${replicas}`;
    await eventually(() => {
      const seen = caller
        .get(CatgaCluster)
        .view()
        .find((m) => m.instance === instance);
      assert.equal(seen?.status, 'ready');
      assert.deepEqual(seen.handles, ['restarting.charge', 'restarting.refund']);
    });
  }

  async function stopPayments(): Promise<void> {
    const app = payments;
    payments = undefined;
    await app?.close();
  }

  before(async () => {
    nats = await startNatsServer();
    caller = await boot('checkout', 'checkout-1', [], true);
  });

  after(async () => {
    await stopPayments();
    await caller?.close();
    await nats?.stop();
  });

  it('a command sent while the only replica is down succeeds once the replica is back, handled once', async () => {
    await startPayments();
    await stopPayments();
    const orderId = `o-${uniqueSuffix()}`;
    const started = Date.now();
    const refusedBefore = refusals;
    const sent = caller
      .get(CatgaMediator)
      .send(new Charge(orderId), { timeoutMs: 10_000 })
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    // Back once the caller was told six times that nobody serves the type (about 1.25 s of backoff).
    await eventually(() => assert.ok(refusals - refusedBefore >= 6, `${refusals - refusedBefore} refusals`), 8_000);
    assert.ok(Date.now() - started >= 1_000, `restarted after ${Date.now() - started} ms`);
    await startPayments();
    const outcome = await sent;
    assert.ok(!('error' in outcome), `the caller gave ${String('error' in outcome ? outcome.error : '')}`);
    assert.deepEqual(outcome.result, { charged: orderId });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(
      charged.filter((id) => id === orderId),
      [orderId],
    );
  });

  it('a type no instance ever announced fails fast with HandlerNotFoundError naming it', async () => {
    const started = Date.now();
    await assert.rejects(caller.get(CatgaMediator).send(new NeverServed(), { timeoutMs: 10_000 }), (e: unknown) => {
      assert.ok(e instanceof HandlerNotFoundError, `got ${String(e)}`);
      assert.equal(e.code, 'HANDLER_NOT_FOUND');
      assert.match(e.message, /restarting\.never-served/);
      return true;
    });
    assert.ok(Date.now() - started < 1_000, `failed after ${Date.now() - started} ms`);
  });

  it('a service seen but down past the deadline is a TimeoutError at the deadline naming the service', async () => {
    if (!payments) await startPayments();
    await stopPayments();
    const started = Date.now();
    await assert.rejects(caller.get(CatgaMediator).send(new Refund('r-1'), { timeoutMs: 1_500 }), (e: unknown) => {
      assert.ok(e instanceof TimeoutError, `got ${String(e)}`);
      assert.equal(e.code, 'TIMEOUT');
      assert.match(e.message, /No replica of payments answered "restarting\.refund" within 1500 ms/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1_400 && elapsed < 3_000, `failed after ${elapsed} ms`);
  });
});
