import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatgaCluster } from '../cluster/catga-cluster.js';
import { eventually } from '../conformance/eventually.js';
import { HandlerNotFoundError, TimeoutError } from '../errors/catga-errors.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import type { CatgaModuleOptions } from '../module/catga-options.interface.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { CatgaMediator } from './catga.mediator.js';

@MessageType('restarting-mem.charge')
class Charge extends Command<string> {
  constructor(readonly orderId: string) {
    super();
  }
}

@MessageType('restarting-mem.never-served')
class NeverServed extends Command<void> {}

const charged: string[] = [];

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  execute(c: Charge): Promise<string> {
    charged.push(c.orderId);
    return Promise.resolve(c.orderId);
  }
}

/** An in-memory transport on `broker` that counts the requests it found no server for. */
class CountingTransport extends InMemoryTransport {
  refusals = 0;
  override async request(...args: Parameters<InMemoryTransport['request']>): ReturnType<InMemoryTransport['request']> {
    try {
      return await super.request(...args);
    } catch (error) {
      if (error instanceof HandlerNotFoundError) this.refusals++;
      throw error;
    }
  }
}

for (const membership of [true, false]) {
  describe(`a caller while the only replica of a service restarts (in memory, membership ${membership ? 'on' : 'off'})`, () => {
    const broker = new InMemoryBroker();
    const transport = new CountingTransport({ broker });
    let caller: INestApplicationContext;
    let payments: INestApplicationContext | undefined;
    let replicas = 0;

    async function boot(options: CatgaModuleOptions, providers: Provider[]): Promise<INestApplicationContext> {
      @Module({ imports: [CatgaModule.forRoot(options)], providers })
      class AppModule {}
      const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
      await app.init();
      return app;
    }

    /** Starts a replica; without membership the caller learns of it from a reply. */
    async function startPayments(): Promise<void> {
      const instance = `payments-${++replicas}`;
      payments = await boot({ serviceName: 'payments', instanceId: instance, transport: new InMemoryTransport({ broker }) }, [
        ChargeHandler,
      ]);
      if (membership) {
        await eventually(() =>
          assert.ok(
            caller
              .get(CatgaCluster)
              .view()
              .some((m) => m.instance === instance && m.status === 'ready'),
          ),
        );
      } else {
        await caller.get(CatgaMediator).send(new Charge(`warm-${instance}`));
      }
    }

    async function stopPayments(): Promise<void> {
      const app = payments;
      payments = undefined;
      await app?.close();
    }

    before(async () => {
      caller = await boot({ serviceName: 'checkout', instanceId: 'checkout-1', transport, cluster: membership ? {} : false }, []);
    });

    after(async () => {
      await stopPayments();
      await caller?.close();
    });

    it('a command sent while the replica is down succeeds once it is back, handled once', async () => {
      await startPayments();
      await stopPayments();
      const orderId = `o-${replicas}-${membership}`;
      const refusedBefore = transport.refusals;
      const sent = caller
        .get(CatgaMediator)
        .send(new Charge(orderId), { timeoutMs: 10_000 })
        .then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
      await eventually(() => assert.ok(transport.refusals - refusedBefore >= 4, `${transport.refusals - refusedBefore} refusals`));
      await startPayments();
      const outcome = await sent;
      assert.ok(!('error' in outcome), `the caller gave ${String('error' in outcome ? outcome.error : '')}`);
      assert.equal(outcome.result, orderId);
      assert.deepEqual(
        charged.filter((id) => id === orderId),
        [orderId],
      );
    });

    it('a type nobody was seen serving fails fast with HandlerNotFoundError naming it', async () => {
      const started = Date.now();
      await assert.rejects(caller.get(CatgaMediator).send(new NeverServed(), { timeoutMs: 10_000 }), (e: unknown) => {
        assert.ok(e instanceof HandlerNotFoundError, `got ${String(e)}`);
        assert.match(e.message, /restarting-mem\.never-served/);
        return true;
      });
      assert.ok(Date.now() - started < 1_000, `failed after ${Date.now() - started} ms`);
    });

    it('a service seen but down past the deadline is a TimeoutError at the deadline', async () => {
      if (!payments) await startPayments();
      await stopPayments();
      const started = Date.now();
      await assert.rejects(caller.get(CatgaMediator).send(new Charge('late'), { timeoutMs: 600 }), (e: unknown) => {
        assert.ok(e instanceof TimeoutError, `got ${String(e)}`);
        assert.match(e.message, membership ? /No replica of payments answered "restarting-mem\.charge"/ : /No replica serving it answered/);
        return true;
      });
      assert.ok(Date.now() - started >= 550, `failed after ${Date.now() - started} ms`);
    });
  });
}
