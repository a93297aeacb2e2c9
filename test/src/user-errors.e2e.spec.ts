import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CatgaExceptionFilter,
  CatgaModule,
  ErrorCode,
  HandlerFailedError,
  MessageType,
  registerErrors,
  type CatgaModuleOptions,
} from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import {
  ConflictException,
  Controller,
  HttpException,
  HttpStatus,
  Module,
  Param,
  Post,
  UseFilters,
  type INestApplication,
  type INestApplicationContext,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IsInt, Min } from 'class-validator';

// What the users of a payments service throw, as they would write it: no CatgaError in sight.
@ErrorCode('UERR_CARD_DECLINED')
class CardDeclinedError extends Error {
  constructor(readonly card: string) {
    super(`card ${card} declined`);
  }
}

/** A user class with an HTTP status of its own: CatgaExceptionFilter answers with it. */
@ErrorCode('UERR_LIMIT_REACHED', { httpStatus: 402 })
class LimitReachedError extends Error {
  constructor(readonly limit: number) {
    super(`limit of ${limit} reached`);
  }
}

/** A library's error class, which cannot carry a decorator: registered by name. */
class GatewayRefusedError extends Error {
  override name = 'GatewayRefusedError';
  constructor(readonly gateway: string) {
    super(`${gateway} refused`);
  }
}
registerErrors(GatewayRefusedError);

/** Nobody registered this one. */
class LedgerError extends Error {
  readonly account = 'acc-7';
}

class PaymentRequiredException extends HttpException {
  constructor() {
    super({ message: 'top up first', statusCode: 402 }, HttpStatus.PAYMENT_REQUIRED);
  }
}

const MAKERS: Record<string, () => Error> = {
  conflict: () => new ConflictException('already charged'),
  'payment-required': () => new PaymentRequiredException(),
  card: () => new CardDeclinedError('4242'),
  gateway: () => new GatewayRefusedError('acme'),
  ledger: () => new LedgerError('ledger closed'),
  limit: () => new LimitReachedError(500),
};

@MessageType('uerr.charge')
class Charge extends Command<string> {
  constructor(readonly kind: string) {
    super();
  }
}

@MessageType('uerr.reserve')
class Reserve extends Command<number> {
  @IsInt() @Min(1) quantity: number;
  constructor(quantity: number) {
    super();
    this.quantity = quantity;
  }
}

/** What each handling threw, by kind: the caller in the same process must get exactly this object. */
const thrown = new Map<string, Error>();

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  async execute(command: Charge): Promise<string> {
    const error = MAKERS[command.kind]!();
    thrown.set(command.kind, error);
    throw error;
  }
}

@CommandHandler(Reserve)
class ReserveHandler implements ICommandHandler<Reserve> {
  async execute(command: Reserve): Promise<number> {
    return command.quantity;
  }
}

@Controller()
class ChargeController {
  constructor(private readonly commands: CommandBus) {}

  @Post('charge/:kind')
  charge(@Param('kind') kind: string): Promise<string> {
    return this.commands.execute(new Charge(kind));
  }

  @Post('filtered/charge/:kind')
  @UseFilters(CatgaExceptionFilter)
  chargeFiltered(@Param('kind') kind: string): Promise<string> {
    return this.commands.execute(new Charge(kind));
  }

  @Post('reserve/:quantity')
  @UseFilters(CatgaExceptionFilter)
  reserve(@Param('quantity') quantity: string): Promise<number> {
    return this.commands.execute(new Reserve(Number(quantity)));
  }
}

interface Setup {
  /** The app whose controller the HTTP requests reach and whose CommandBus the tests use. */
  readonly caller: INestApplication;
  readonly url: string;
  /** Whether the handler runs in the caller's process (then errors are the very objects thrown). */
  readonly local: boolean;
  close(): Promise<void>;
}

async function httpApp(transport: (() => CatgaModuleOptions['transport']) | undefined, serviceName: string, providers: Type[]) {
  @Module({
    imports: [CatgaModule.forRoot({ serviceName, ...(transport ? { transport: transport() } : {}), pipeline: { retry: false } })],
    controllers: [ChargeController],
    providers,
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function urlOf(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** The same assertions, on in-memory parts in one process and across NATS between two. */
function userErrorsSuite(name: string, setUp: () => Promise<Setup>) {
  describe(name, () => {
    let setup: Setup;
    before(async () => {
      setup = await setUp();
    });
    after(async () => {
      await setup?.close();
    });

    const execute = (kind: string) => setup.caller.get(CommandBus).execute(new Charge(kind));
    const post = (path: string) => fetch(`${setup.url}${path}`, { method: 'POST' });

    it("an HttpException keeps its status and body under Nest's default filter, no filter of ours installed", async () => {
      const response = await post('/charge/conflict');
      assert.equal(response.status, 409);
      assert.deepEqual(await response.json(), { message: 'already charged', error: 'Conflict', statusCode: 409 });
      await assert.rejects(execute('conflict'), (e: unknown) => {
        assert.ok(e instanceof ConflictException, `got ${String(e)}`);
        assert.equal(e.getStatus(), 409);
        if (setup.local) assert.equal(e, thrown.get('conflict'));
        return true;
      });
    });

    it('an HttpException subclass the caller does not know still answers with its status and body', async () => {
      const response = await post('/charge/payment-required');
      assert.equal(response.status, 402);
      assert.deepEqual(await response.json(), { message: 'top up first', statusCode: 402 });
    });

    it('a user error class with @ErrorCode keeps instanceof and its fields', async () => {
      await assert.rejects(execute('card'), (e: unknown) => {
        assert.ok(e instanceof CardDeclinedError, `got ${String(e)}`);
        assert.equal(e.card, '4242');
        assert.equal(e.message, 'card 4242 declined');
        if (setup.local) assert.equal(e, thrown.get('card'));
        return true;
      });
    });

    it('a library error class registered with registerErrors keeps instanceof and its fields', async () => {
      await assert.rejects(execute('gateway'), (e: unknown) => {
        assert.ok(e instanceof GatewayRefusedError, `got ${String(e)}`);
        assert.equal(e.gateway, 'acme');
        assert.equal(e.name, 'GatewayRefusedError');
        return true;
      });
    });

    it('an unregistered error is the object thrown in one process, a HandlerFailedError with its fields across the wire', async () => {
      await assert.rejects(execute('ledger'), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.message, 'ledger closed');
        assert.equal((e as unknown as { account: string }).account, 'acc-7');
        if (setup.local) assert.equal(e, thrown.get('ledger'));
        else {
          assert.ok(e instanceof HandlerFailedError, `got ${String(e)}`);
          assert.equal(e.code, 'HANDLER_FAILED');
          assert.deepEqual(e.details, { name: 'Error', type: 'LedgerError' });
        }
        return true;
      });
      // Nest's default filter: not an HttpException, so 500, as without Catga.
      assert.equal((await post('/charge/ledger')).status, 500);
    });

    it("CatgaExceptionFilter answers a user class's declared httpStatus, and leaves everything else to Nest's default answer", async () => {
      const limit = await post('/filtered/charge/limit');
      assert.equal(limit.status, 402);
      const body = (await limit.json()) as { code: string; statusCode: number; message: string };
      assert.deepEqual([body.code, body.statusCode, body.message], ['UERR_LIMIT_REACHED', 402, 'limit of 500 reached']);
      const conflict = await post('/filtered/charge/conflict');
      assert.equal(conflict.status, 409);
      assert.deepEqual(await conflict.json(), { message: 'already charged', error: 'Conflict', statusCode: 409 });
      const ledger = await post('/filtered/charge/ledger');
      assert.equal(ledger.status, 500);
      assert.deepEqual(await ledger.json(), { statusCode: 500, message: 'Internal server error' });
    });

    it("CatgaExceptionFilter answers Catga's own errors with their status and code", async () => {
      const response = await post('/reserve/0');
      assert.equal(response.status, 400);
      const body = (await response.json()) as { code: string; statusCode: number };
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.equal(body.statusCode, 400);
      const ok = await post('/reserve/3');
      assert.equal(ok.status, 201);
      assert.equal(await ok.text(), '3');
    });
  });
}

userErrorsSuite('user errors in one process (in-memory parts)', async () => {
  const caller = await httpApp(undefined, 'uerr-local', [ChargeHandler, ReserveHandler]);
  return { caller, url: await urlOf(caller), local: true, close: () => caller.close() };
});

describe('user errors across NATS', () => {
  let nats: NatsServerHandle;
  before(async () => {
    nats = await startNatsServer();
  });
  after(async () => {
    await nats?.stop();
  });

  userErrorsSuite('two services', async () => {
    const prefix = `uerr${uniqueSuffix()}`;
    const transport = () => natsTransport({ servers: nats.url, subjectPrefix: prefix });
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'uerr-payments', transport: transport(), pipeline: { retry: false } })],
      providers: [ChargeHandler, ReserveHandler],
    })
    class PaymentsModule {}
    const payments: INestApplicationContext = await NestFactory.createApplicationContext(PaymentsModule, { logger: false });
    await payments.init();
    const caller = await httpApp(transport, 'uerr-api', []);
    return {
      caller,
      url: await urlOf(caller),
      local: false,
      close: async () => {
        await caller.close();
        await payments.close();
      },
    };
  });
});
