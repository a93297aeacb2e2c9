import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BadRequestException,
  Catch,
  Controller,
  Injectable,
  Module,
  ParseIntPipe,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type INestApplicationContext,
  type INestMicroservice,
  type NestInterceptor,
  type PipeTransform,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandBus } from '@nestjs/cqrs';
import { ClientsModule, Ctx, EventPattern, MessagePattern, Payload, RpcException, type ClientProxy } from '@nestjs/microservices';
import { IsInt } from 'class-validator';
import { firstValueFrom, lastValueFrom, map, of, throwError, type Observable } from 'rxjs';
import { CatgaEndpoints, CatgaModule, HandlerNotFoundError, MessageType, ValidationFailedError } from '@catga/core';
import { eventually } from '@catga/core/conformance';
import { CatgaSignals } from '@catga/core/transport';
import { InMemoryBroker, InMemoryTransport } from '@catga/core/testing';
import { CatgaClientProxy, CatgaContext, CatgaMicroservicesModule, CatgaRpcExceptionFilter, CatgaServer, patternType } from './index.js';

@MessageType('math.product', { kind: 'command' })
class Product extends Command<number> {
  constructor(readonly values: number[]) {
    super();
  }
}

@MessageType('math.checked', { kind: 'command' })
class Checked {
  @IsInt()
  n!: number;
}

const counted = { command: 0, query: 0 };
const flushedBy = new Set<object>();

const seen: Array<{ name: string; delivery: number; messageId: string }> = [];

@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getContext<CatgaContext>().getHeaders()['x-api-key'] === 'secret';
  }
}

@Injectable()
class TrimNamePipe implements PipeTransform<{ name: string }, { name: string }> {
  transform(value: { name: string }): { name: string } {
    if (typeof value?.name !== 'string') throw new RpcException({ reason: 'name required' });
    return { name: value.name.trim() };
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value })));
  }
}

@Catch(RpcException)
class CodeFilter implements RpcExceptionFilter<RpcException> {
  catch(exception: RpcException): Observable<never> {
    return throwError(() => ({ code: 'E42', message: exception.message }));
  }
}

@Controller()
class MathController {
  @MessagePattern('math.sum')
  sum(@Payload() data: number[]): number {
    return data.reduce((a, b) => a + b, 0);
  }

  @MessagePattern({ cmd: 'max', role: 'math' })
  max(@Payload() data: number[], @Ctx() context: CatgaContext): { max: number; messageId: string; type: string; delivery: number } {
    return { max: Math.max(...data), messageId: context.getMessageId(), type: context.getType(), delivery: context.getDelivery() };
  }

  @MessagePattern('math.product')
  product(@Payload() data: { values: number[] }): number {
    return data.values.reduce((a, b) => a * b, 1);
  }

  @MessagePattern('math.secret')
  @UseGuards(ApiKeyGuard)
  secret(): string {
    return 'granted';
  }

  @MessagePattern('math.double')
  double(@Payload(ParseIntPipe) value: number): number {
    return value * 2;
  }

  @MessagePattern('math.double-typed')
  @UseFilters(CatgaRpcExceptionFilter)
  doubleTyped(@Payload(ParseIntPipe) value: number): number {
    return value * 2;
  }

  @MessagePattern('math.tenant')
  tenant(@Ctx() context: CatgaContext): string | undefined {
    return context.getHeaders()['x-tenant'];
  }

  @MessagePattern('math.wrapped')
  @UseInterceptors(WrapInterceptor)
  wrapped(): number {
    return 7;
  }

  @MessagePattern('math.odd')
  odd(@Payload() value: number): number {
    if (value % 2 === 1) throw new RpcException({ reason: 'odd', value });
    return value;
  }

  @MessagePattern('math.coded')
  @UseFilters(CodeFilter)
  coded(): never {
    throw new RpcException('nope');
  }

  @MessagePattern('math.counting')
  counting(): Observable<number> {
    return of(1, 2, 3);
  }

  @MessagePattern('math.checked')
  checked(@Payload() data: Checked): boolean {
    return data instanceof Checked;
  }

  @MessagePattern('math.count')
  count(): number {
    return ++counted.command;
  }

  @MessagePattern('math.peek', { catga: { kind: 'query' } })
  peek(): number {
    return ++counted.query;
  }

  @EventPattern('cache.flush', { catga: { broadcast: true } })
  flush(@Payload() request: object): void {
    flushedBy.add(request && this);
  }

  @EventPattern('math.poison')
  poison(@Payload() request: object): void {
    throw new Error(`poisoned by ${JSON.stringify(request)}`);
  }

  @EventPattern('user.created')
  @UseGuards(ApiKeyGuard)
  userCreated(@Payload(TrimNamePipe) user: { name: string }, @Ctx() ctx: unknown): void {
    const context = ctx as CatgaContext;
    if (user.name === 'flaky' && context.getDelivery() === 1) throw new Error('first delivery fails');
    seen.push({ name: user.name, delivery: context.getDelivery(), messageId: context.getMessageId() });
  }
}

@Module({})
class CallerModule {}

function mathModule(broker: InMemoryBroker): object {
  @Module({
    imports: [
      CatgaModule.forRoot({ serviceName: 'math', transport: new InMemoryTransport({ broker, redeliveryDelayMs: 5 }) }),
      CatgaMicroservicesModule,
    ],
    controllers: [MathController],
    providers: [ApiKeyGuard, TrimNamePipe],
  })
  class MathModule {}
  return MathModule;
}

function callerModule(broker: InMemoryBroker, headers: Record<string, string> = { 'x-api-key': 'secret' }): object {
  @Module({
    imports: [
      CatgaModule.forRoot({ serviceName: 'caller', transport: new InMemoryTransport({ broker }), requestTimeoutMs: 2_000 }),
      CatgaMicroservicesModule,
      ClientsModule.register([
        { name: 'MATH', customClass: CatgaClientProxy, options: { headers } },
        { name: 'ANONYMOUS', customClass: CatgaClientProxy, options: { timeoutMs: 500 } },
      ]),
      ClientsModule.registerAsync([
        { name: 'MATH_ASYNC', useFactory: async () => ({ customClass: CatgaClientProxy, options: { headers } }) },
      ]),
    ],
  })
  class Caller extends CallerModule {}
  return Caller;
}

describe('@MessagePattern and @EventPattern handlers on CatgaServer, called through CatgaClientProxy (in-memory transport)', () => {
  const broker = new InMemoryBroker();
  let service: INestMicroservice;
  let caller: INestApplicationContext;
  let math: ClientProxy;
  let anonymous: ClientProxy;

  before(async () => {
    service = await NestFactory.createMicroservice(mathModule(broker), { strategy: new CatgaServer({ maxDeliveries: 3 }), logger: false });
    await service.listen();
    caller = await NestFactory.createApplicationContext(callerModule(broker), { logger: false });
    math = caller.get<ClientProxy>('MATH');
    anonymous = caller.get<ClientProxy>('ANONYMOUS');
  });

  after(async () => {
    await caller?.close();
    await service?.close();
  });

  it('a string pattern is answered through the transport', async () => {
    assert.equal(await firstValueFrom(math.send('math.sum', [1, 2, 3])), 6);
  });

  it('a client registered with ClientsModule.registerAsync is bound as well', async () => {
    assert.equal(await firstValueFrom(caller.get<ClientProxy>('MATH_ASYNC').send('math.sum', [2, 2])), 4);
  });

  it("the metadata a dispatch hook attaches travels as headers the handler's @Ctx() reads", async () => {
    const client = caller.get<ClientProxy>('ANONYMOUS');
    client.setOnDispatchHook((packet) => {
      packet.metadata = { 'x-tenant': 'acme' };
    });
    assert.equal(await firstValueFrom(client.send('math.tenant', {})), 'acme');
  });

  it('send is cold: nothing is sent until subscribed, and each subscription is its own request', async () => {
    const reply = math.send<{ messageId: string }>({ role: 'math', cmd: 'max' }, [1]);
    const [first, second] = await Promise.all([firstValueFrom(reply), firstValueFrom(reply)]);
    assert.notEqual(first.messageId, second.messageId);
  });

  it('an object pattern reaches its handler whatever the order of its keys, with @Ctx() giving the envelope', async () => {
    const reply = await firstValueFrom(math.send({ role: 'math', cmd: 'max' }, [4, 9, 2]));
    assert.equal(reply.max, 9);
    assert.equal(reply.type, '_o.cmd.max.role.math');
    assert.equal(reply.delivery, 1);
    assert.match(reply.messageId, /^[0-9a-f-]{36}$/);
  });

  it('a CommandBus caller and a ClientProxy caller reach the same @MessagePattern handler', async () => {
    assert.equal(await caller.get(CommandBus).execute(new Product([2, 3, 4])), 24);
    assert.equal(await firstValueFrom(math.send('math.product', { values: [2, 3, 4] })), 24);
  });

  it('an unknown pattern is an observable error HANDLER_NOT_FOUND', async () => {
    await assert.rejects(firstValueFrom(math.send('math.unknown', 1)), (error: unknown) => {
      assert.ok(error instanceof HandlerNotFoundError);
      assert.equal(error.code, 'HANDLER_NOT_FOUND');
      return true;
    });
  });

  it('a guard that refuses is Nest RPC "Forbidden resource", as an RpcException', async () => {
    assert.equal(await firstValueFrom(math.send('math.secret', {})), 'granted');
    await assert.rejects(firstValueFrom(anonymous.send('math.secret', {})), (error: unknown) => {
      assert.ok(error instanceof RpcException);
      assert.deepEqual(error.getError(), { status: 'error', message: 'Forbidden resource' });
      return true;
    });
  });

  it("a pipe's error takes Nest's default RPC filter; with CatgaRpcExceptionFilter it travels as its own class", async () => {
    assert.equal(await firstValueFrom(math.send('math.double', '21')), 42);
    await assert.rejects(firstValueFrom(math.send('math.double', 'x')), (error: unknown) => {
      assert.ok(error instanceof RpcException);
      assert.deepEqual(error.getError(), { status: 'error', message: 'Internal server error' });
      return true;
    });
    await assert.rejects(firstValueFrom(math.send('math.double-typed', 'x')), (error: unknown) => {
      assert.ok(error instanceof BadRequestException, String(error));
      assert.equal(error.getStatus(), 400);
      return true;
    });
  });

  it('an interceptor shapes the reply', async () => {
    assert.deepEqual(await firstValueFrom(math.send('math.wrapped', {})), { wrapped: 7 });
  });

  it('an RpcException thrown by a handler travels back typed, its payload kept', async () => {
    await assert.rejects(lastValueFrom(math.send('math.odd', 3)), (error: unknown) => {
      assert.ok(error instanceof RpcException);
      assert.deepEqual(error.getError(), { reason: 'odd', value: 3 });
      return true;
    });
  });

  it("an exception filter's answer is what the caller receives", async () => {
    await assert.rejects(firstValueFrom(math.send('math.coded', {})), (error: unknown) => {
      assert.ok(error instanceof RpcException);
      assert.deepEqual(error.getError(), { code: 'E42', message: 'nope' });
      return true;
    });
  });

  it('a handler answering with an observable replies with its last value', async () => {
    assert.equal(await lastValueFrom(math.send('math.counting', {})), 3);
  });

  it('an event passes the guard and the pipe and is handled once; a failed delivery is redelivered with its count in @Ctx()', async () => {
    await lastValueFrom(math.emit('user.created', { name: '  ada ' }), { defaultValue: undefined });
    await lastValueFrom(math.emit('user.created', { name: 'flaky' }), { defaultValue: undefined });
    await eventually(() => assert.deepEqual(seen.map((s) => s.name).sort(), ['ada', 'flaky']));
    assert.equal(seen.find((s) => s.name === 'flaky')?.delivery, 2);
    assert.equal(seen.find((s) => s.name === 'ada')?.delivery, 1);
  });

  it('a payload for a pattern whose type has a registered class is rebuilt as it and validated: bad input is VALIDATION_FAILED', async () => {
    assert.equal(await firstValueFrom(math.send('math.checked', { n: 1 })), true);
    await assert.rejects(firstValueFrom(math.send('math.checked', { n: 'one' })), (error: unknown) => {
      assert.ok(error instanceof ValidationFailedError);
      assert.equal(error.code, 'VALIDATION_FAILED');
      return true;
    });
  });

  it('a @MessagePattern is a command: sent twice with one message id it runs once; a query pattern runs each time', async () => {
    const endpoints = caller.get(CatgaEndpoints);
    const messageId = `count-${Date.now()}`;
    assert.equal(await endpoints.send('math.count', {}, { messageId }), 1);
    assert.equal(await endpoints.send('math.count', {}, { messageId }), 1);
    assert.equal(counted.command, 1);
    await endpoints.send('math.peek', {}, { messageId: `${messageId}-q` });
    await endpoints.send('math.peek', {}, { messageId: `${messageId}-q` });
    assert.equal(counted.query, 2);
  });

  it('a broadcast @EventPattern reaches every instance of the service', async () => {
    const second = await NestFactory.createMicroservice(mathModule(broker), { strategy: new CatgaServer(), logger: false });
    await second.listen();
    try {
      await lastValueFrom(math.emit('cache.flush', {}), { defaultValue: undefined });
      await eventually(() => assert.equal(flushedBy.size, 2));
    } finally {
      await second.close();
    }
  });

  it('an event whose handler keeps failing is dead-lettered after maxDeliveries', async () => {
    const deadLetters: Array<{ type: string; deliveries: number }> = [];
    const stop = service.get(CatgaSignals).on('deadLettered', (signal) => deadLetters.push(signal));
    try {
      await lastValueFrom(math.emit('math.poison', {}), { defaultValue: undefined });
      await eventually(() =>
        assert.deepEqual(
          deadLetters.map((d) => [d.type, d.deliveries]),
          [['math.poison', 3]],
        ),
      );
    } finally {
      stop();
    }
  });

  it('the pattern types are stable and documented', () => {
    assert.equal(patternType('math.sum'), 'math.sum');
    assert.equal(patternType({ role: 'math', cmd: 'max' }), '_o.cmd.max.role.math');
    assert.equal(patternType('math/sum'), '_p.math_2Fsum');
    assert.equal(patternType({ cmd: 'get', id: 1 }), '_p._7B_22cmd_22_3A_22get_22_2C_22id_22_3A1_7D');
    assert.equal(patternType('_private'), '_p._5Fprivate');
    assert.notEqual(patternType({ a: '1' }), patternType({ a: 1 }));
  });
});

describe('a hybrid application whose microservice starts before the application initializes', () => {
  it('serves its @MessagePattern handlers once Catga bootstraps', async () => {
    const broker = new InMemoryBroker();
    const app: INestApplication = await NestFactory.create(mathModule(broker), { logger: false });
    app.connectMicroservice({ strategy: new CatgaServer() });
    await app.startAllMicroservices();
    await app.init();
    const caller = await NestFactory.createApplicationContext(callerModule(broker), { logger: false });
    try {
      assert.equal(await firstValueFrom(caller.get<ClientProxy>('MATH').send('math.sum', [5, 5])), 10);
    } finally {
      await caller.close();
      await app.close();
    }
  });
});

describe('a CatgaServer in an application without CatgaMicroservicesModule', () => {
  it('refuses to listen, saying what to import', async () => {
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'lonely', transport: new InMemoryTransport({ broker: new InMemoryBroker() }) })],
    })
    class Lonely {}
    const service = await NestFactory.createMicroservice(Lonely, { strategy: new CatgaServer(), logger: false });
    try {
      await assert.rejects(service.listen(), /import CatgaMicroservicesModule/);
    } finally {
      await service.close();
    }
  });
});

describe('a handler whose catga extras are not what the strategy reads', () => {
  it('fails the listen, naming the option', async () => {
    @Controller()
    class Odd {
      @MessagePattern('odd.kind', { catga: { kind: 'sometimes' } })
      kind(): number {
        return 1;
      }
    }
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: 'odd', transport: new InMemoryTransport({ broker: new InMemoryBroker() }) }),
        CatgaMicroservicesModule,
      ],
      controllers: [Odd],
    })
    class OddModule {}
    const service = await NestFactory.createMicroservice(OddModule, { strategy: new CatgaServer(), logger: false });
    try {
      await assert.rejects(service.listen(), /catga\.kind must be "command" or "query", not sometimes/);
    } finally {
      await service.close();
    }
  });
});
