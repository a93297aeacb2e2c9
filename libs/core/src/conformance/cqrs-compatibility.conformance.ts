import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inject, Injectable, Module, Scope, type INestApplicationContext, type LoggerService, type Provider } from '@nestjs/common';
import { NestFactory, REQUEST } from '@nestjs/core';
import {
  AggregateRoot,
  AsyncContext,
  Command,
  CommandBus,
  CommandHandler,
  EventBus,
  EventPublisher,
  EventsHandler,
  ofType,
  Query,
  QueryBus,
  QueryHandler,
  Saga,
  UnhandledExceptionBus,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  type IEventHandler,
  type IQueryHandler,
  type UnhandledExceptionInfo,
} from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import { currentMessageContext } from '../context/message-context.js';
import type { Envelope } from '../envelope/envelope.js';
import { ErrorCode } from '../errors/error-code.decorator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import type { CatgaModuleOptions } from '../module/catga-options.interface.js';
import { CatgaModule } from '../module/catga.module.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import { eventually } from './eventually.js';

export interface CqrsCompatibilityHarness {
  /**
   * true: the caller and the serving application are one application (the embedded default);
   * otherwise two applications that reach each other through the transport.
   */
  oneApplication?: boolean;
  /** CatgaModule options for the application of `serviceName` (a transport reaching the other one). */
  options(serviceName: string): CatgaModuleOptions;
  /** Releases what the harness holds (streams, connections); the applications are closed by the suite. */
  dispose(): Promise<void>;
}

export interface CqrsCompatibilityOptions {
  /** Upper bound for waiting on a handling or a report, in ms. Default 15000. */
  deliveryTimeoutMs?: number;
}

@MessageType('cqrs-compat.local-happened')
class LocalHappened {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.remote-happened')
class RemoteHappened {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.saga-recorded')
class RecordSagaCommand extends Command<void> {
  constructor(readonly id: string) {
    super();
  }
}

@MessageType('cqrs-compat.notify-caller')
class NotifyCaller extends Command<void> {
  constructor(readonly id: string) {
    super();
  }
}

@MessageType('cqrs-compat.rejectable-happened')
class RejectableHappened {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.refused')
class Refused extends Command<void> {
  constructor(readonly id: string) {
    super();
  }
}

@MessageType('cqrs-compat.brittle-happened')
class BrittleHappened {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.doomed')
class Doomed {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.flaky')
class Flaky {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.who-am-i')
class WhoAmI extends Command<Identity> {}

@MessageType('cqrs-compat.durable-who')
class DurableWho extends Query<Identity> {}

@MessageType('cqrs-compat.open-account')
class OpenAccount extends Command<string> {
  constructor(
    readonly accountId: string,
    readonly merge: 'object' | 'class',
  ) {
    super();
  }
}

@MessageType('cqrs-compat.account-opened')
class AccountOpened {
  constructor(readonly accountId: string) {}
}

@MessageType('cqrs-compat.add')
class Add extends Command<number> {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
  }
}

@MessageType('cqrs-compat.square')
class Square extends Query<number> {
  constructor(readonly n: number) {
    super();
  }
}

@MessageType('cqrs-compat.withdraw')
class Withdraw extends Command<number> {
  constructor(readonly amount: number) {
    super();
  }
}

@MessageType('cqrs-compat.pinged')
class Pinged {
  constructor(readonly id: string) {}
}

@MessageType('cqrs-compat.ponged')
class Ponged {
  constructor(readonly id: string) {}
}

/** A user's error class, registered so it is rebuilt as itself in the caller's application. */
@ErrorCode('CQRS_COMPAT_OVERDRAWN')
class OverdrawnError extends Error {
  constructor(readonly balance: number) {
    super(`balance ${balance} is too low`);
  }
}

class DoomedError extends Error {
  override readonly name = 'DoomedError';
}

class BrittleError extends Error {
  override readonly name = 'BrittleError';
}

interface Identity {
  serial: number;
  /** The handler's `@Inject(REQUEST)` is the AsyncContext attached to the message it handles. */
  requestIsMessageContext: boolean;
  messageId: string | undefined;
}

/** What the handlers of one application saw. */
class Recorder {
  readonly sagaCommands: Array<{ id: string; envelope: Envelope | undefined }> = [];
  readonly notified: Array<{ id: string; envelope: Envelope | undefined }> = [];
  readonly opened: Array<{ accountId: string; envelope: Envelope | undefined }> = [];
  readonly flaky: string[] = [];
  /** Message id of each failed attempt of the doomed handler. */
  readonly doomed: string[] = [];
  /** `<handler> <event id>` for each handling of Pinged and Ponged. */
  readonly pings: string[] = [];
  /** What the withdraw handler threw, by amount. */
  readonly thrown = new Map<number, Error>();
}

@CommandHandler(Add)
class AddHandler implements ICommandHandler<Add> {
  async execute(command: Add): Promise<number> {
    return command.a + command.b;
  }
}

@QueryHandler(Square)
class SquareHandler implements IQueryHandler<Square> {
  async execute(query: Square): Promise<number> {
    return query.n * query.n;
  }
}

@CommandHandler(Withdraw)
class WithdrawHandler implements ICommandHandler<Withdraw> {
  constructor(private readonly recorder: Recorder) {}
  async execute(command: Withdraw): Promise<number> {
    const error = command.amount > 100 ? new OverdrawnError(100) : new RangeError(`cannot withdraw ${command.amount}`);
    this.recorder.thrown.set(command.amount, error);
    throw error;
  }
}

@EventsHandler(Pinged)
class PingAuditHandler implements IEventHandler<Pinged> {
  constructor(private readonly recorder: Recorder) {}
  handle(event: Pinged): void {
    this.recorder.pings.push(`audit ${event.id}`);
  }
}

@EventsHandler(Pinged, Ponged)
class PingCountHandler implements IEventHandler<Pinged | Ponged> {
  constructor(private readonly recorder: Recorder) {}
  handle(event: Pinged | Ponged): void {
    this.recorder.pings.push(`${event instanceof Ponged ? 'count-pong' : 'count-ping'} ${event.id}`);
  }
}

let serials = 0;

@CommandHandler(RecordSagaCommand)
class RecordSagaCommandHandler implements ICommandHandler<RecordSagaCommand> {
  constructor(private readonly recorder: Recorder) {}
  async execute(command: RecordSagaCommand): Promise<void> {
    this.recorder.sagaCommands.push({ id: command.id, envelope: currentMessageContext()?.envelope });
  }
}

@CommandHandler(NotifyCaller)
class NotifyCallerHandler implements ICommandHandler<NotifyCaller> {
  constructor(private readonly recorder: Recorder) {}
  async execute(command: NotifyCaller): Promise<void> {
    this.recorder.notified.push({ id: command.id, envelope: currentMessageContext()?.envelope });
  }
}

@CommandHandler(Refused)
class RefusedHandler implements ICommandHandler<Refused> {
  async execute(command: Refused): Promise<void> {
    throw new Error(`refused ${command.id}`);
  }
}

@EventsHandler(AccountOpened)
class AccountOpenedHandler implements IEventHandler<AccountOpened> {
  constructor(private readonly recorder: Recorder) {}
  handle(event: AccountOpened): void {
    this.recorder.opened.push({ accountId: event.accountId, envelope: currentMessageContext()?.envelope });
  }
}

@Injectable()
class CompatSagas {
  @Saga()
  local = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(LocalHappened),
      map((e) => new RecordSagaCommand(e.id)),
    );

  @Saga()
  remote = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(RemoteHappened),
      map((e) => new NotifyCaller(e.id)),
    );

  @Saga()
  rejecting = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(RejectableHappened),
      map((e) => new Refused(e.id)),
    );

  @Saga()
  brittle = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(BrittleHappened),
      map((e): ICommand => {
        throw new BrittleError(`brittle ${e.id}`);
      }),
    );
}

@EventsHandler(Doomed)
class DoomedHandler implements IEventHandler<Doomed> {
  constructor(private readonly recorder: Recorder) {}
  handle(event: Doomed): void {
    this.recorder.doomed.push(currentMessageContext()?.envelope.id ?? '');
    throw new DoomedError(`doomed ${event.id}`);
  }
}

@EventsHandler(Flaky)
class FlakyHandler implements IEventHandler<Flaky> {
  private readonly failed = new Set<string>();
  constructor(private readonly recorder: Recorder) {}
  handle(event: Flaky): void {
    if (!this.failed.has(event.id)) {
      this.failed.add(event.id);
      throw new Error(`flaky ${event.id} fails once`);
    }
    this.recorder.flaky.push(event.id);
  }
}

@CommandHandler(WhoAmI, { scope: Scope.REQUEST })
class WhoAmIHandler implements ICommandHandler<WhoAmI> {
  private readonly serial = ++serials;
  constructor(@Inject(REQUEST) private readonly request: unknown) {}
  async execute(command: WhoAmI): Promise<Identity> {
    return {
      serial: this.serial,
      requestIsMessageContext: this.request instanceof AsyncContext && AsyncContext.of(command) === this.request,
      messageId: currentMessageContext()?.envelope.id,
    };
  }
}

@QueryHandler(DurableWho)
@Injectable({ scope: Scope.REQUEST, durable: true })
class DurableWhoHandler implements IQueryHandler<DurableWho> {
  private readonly serial = ++serials;
  constructor(@Inject(REQUEST) private readonly request: unknown) {}
  async execute(query: DurableWho): Promise<Identity> {
    return {
      serial: this.serial,
      requestIsMessageContext: this.request instanceof AsyncContext && AsyncContext.of(query) === this.request,
      messageId: currentMessageContext()?.envelope.id,
    };
  }
}

class Account extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  open(): void {
    this.apply(new AccountOpened(this.id));
  }
}

@CommandHandler(OpenAccount)
class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(private readonly publisher: EventPublisher) {}
  async execute(command: OpenAccount): Promise<string> {
    const account =
      command.merge === 'object'
        ? this.publisher.mergeObjectContext(new Account(command.accountId))
        : new (this.publisher.mergeClassContext(Account))(command.accountId);
    account.open();
    account.commit();
    return currentMessageContext()!.envelope.id;
  }
}

/** Caller side: receives what the serving side's sagas and aggregates send it. */
const CALLER_PROVIDERS: Provider[] = [NotifyCallerHandler, RefusedHandler, AccountOpenedHandler];
/** Serving side: the sagas, the failing and scoped handlers, the aggregate. */
const SERVER_PROVIDERS: Provider[] = [
  AddHandler,
  SquareHandler,
  WithdrawHandler,
  PingAuditHandler,
  PingCountHandler,
  RecordSagaCommandHandler,
  CompatSagas,
  DoomedHandler,
  FlakyHandler,
  WhoAmIHandler,
  DurableWhoHandler,
  OpenAccountHandler,
];

/** Keeps every warning and error line the applications log. */
class LogRecorder implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push(`warn ${String(message)} ${rest.map(String).join(' ')}`);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(`error ${String(message)} ${rest.map(String).join(' ')}`);
  }
}

async function boot(options: CatgaModuleOptions, providers: Provider[], logger: LoggerService): Promise<INestApplicationContext> {
  @Module({ imports: [CatgaModule.forRoot(options)], providers: [Recorder, ...providers] })
  class CompatModule {}
  const app = await NestFactory.createApplicationContext(CompatModule, { logger });
  await app.init();
  return app;
}

/**
 * The behaviours @nestjs/cqrs documents, with CatgaModule imported: commands, queries and events
 * through their buses, handler errors, RxJS sagas, UnhandledExceptionBus, request- and
 * durable-scoped handlers, AggregateRoot with EventPublisher. Declares its own tests.
 */
export function cqrsCompatibilityConformance(
  name: string,
  setup: () => Promise<CqrsCompatibilityHarness>,
  options: CqrsCompatibilityOptions = {},
): void {
  const wait = options.deliveryTimeoutMs ?? 15_000;

  describe(`@nestjs/cqrs compatibility: ${name}`, () => {
    let harness: CqrsCompatibilityHarness;
    let caller: INestApplicationContext;
    let server: INestApplicationContext;
    const apps: INestApplicationContext[] = [];
    const logs = new LogRecorder();
    const reports: Array<UnhandledExceptionInfo<unknown, unknown>> = [];
    const deadLettered: string[] = [];

    before(async () => {
      harness = await setup();
      if (harness.oneApplication) {
        server = caller = await boot(harness.options('compat-one'), [...CALLER_PROVIDERS, ...SERVER_PROVIDERS], logs);
        apps.push(server);
      } else {
        server = await boot(harness.options('compat-server'), SERVER_PROVIDERS, logs);
        apps.push(server);
        caller = await boot(harness.options('compat-caller'), CALLER_PROVIDERS, logs);
        apps.push(caller);
      }
      server.get(UnhandledExceptionBus).subscribe((info) => reports.push(info));
      server.get(CatgaSignals).on('deadLettered', (s) => {
        if (s.messageId) deadLettered.push(s.messageId);
      });
    });

    after(async () => {
      for (const app of apps.reverse()) await app.close();
      await harness?.dispose();
    });

    it("CommandBus.execute runs the command's handler and returns its result", async () => {
      assert.equal(await caller.get(CommandBus).execute(new Add(2, 3)), 5);
    });

    it("QueryBus.execute runs the query's handler and returns its result", async () => {
      assert.equal(await caller.get(QueryBus).execute(new Square(7)), 49);
    });

    it('an event published with EventBus reaches every @EventsHandler of its type, and a handler of two types gets both', async () => {
      const id = `p-${Date.now()}`;
      caller.get(EventBus).publish(new Pinged(id));
      await caller.get(EventBus).publishAll([new Ponged(id)]);
      const recorder = server.get(Recorder);
      await eventually(
        () =>
          assert.deepEqual(recorder.pings.filter((p) => p.endsWith(id)).sort(), [`audit ${id}`, `count-ping ${id}`, `count-pong ${id}`]),
        wait,
      );
    });

    it("a handler's error rejects execute: the same object in one application, its registered class across two", async () => {
      const recorder = server.get(Recorder);
      await assert.rejects(caller.get(CommandBus).execute(new Withdraw(500)), (e: unknown) => {
        assert.ok(e instanceof OverdrawnError, `got ${String(e)}`);
        assert.equal(e.balance, 100);
        if (harness.oneApplication) assert.equal(e, recorder.thrown.get(500));
        return true;
      });
      await assert.rejects(caller.get(CommandBus).execute(new Withdraw(5)), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.message, 'cannot withdraw 5');
        if (harness.oneApplication) assert.equal(e, recorder.thrown.get(5));
        else assert.equal(e.name, 'RangeError');
        return true;
      });
    });

    it('an RxJS saga reacts to an event published in its application, and the command it returns runs through Catga', async () => {
      await server.get(EventBus).publish(new LocalHappened('local-1'));
      const seen = await eventually(() => {
        const hit = server.get(Recorder).sagaCommands.find((c) => c.id === 'local-1');
        assert.ok(hit, 'the saga command was not handled');
        return hit;
      }, wait);
      assert.equal(seen.envelope?.type, 'cqrs-compat.saga-recorded');
      assert.ok(seen.envelope?.causationId, 'the saga command names the event it came from as causation');
    });

    it('an RxJS saga reacts to an event another application published, and its command reaches a handler there', async () => {
      await caller.get(EventBus).publish(new RemoteHappened('remote-1'));
      const seen = await eventually(() => {
        const hit = caller.get(Recorder).notified.find((c) => c.id === 'remote-1');
        assert.ok(hit, 'the command the saga issued did not reach the caller');
        return hit;
      }, wait);
      assert.equal(seen.envelope?.type, 'cqrs-compat.notify-caller');
      assert.ok(seen.envelope?.causationId);
    });

    it('UnhandledExceptionBus receives an event handler error, with the event as cause, once the event is given up', async () => {
      await caller.get(EventBus).publish(new Doomed('doomed-1'));
      const report = await eventually(() => {
        const hit = reports.find((r) => r.cause instanceof Doomed && r.cause.id === 'doomed-1');
        assert.ok(hit, 'no report for the failing event handler');
        return hit;
      }, wait);
      assert.ok(report.exception instanceof DoomedError, `reported ${String(report.exception)}`);
      assert.equal(report.exception.message, 'doomed doomed-1');
      const attempts = server.get(Recorder).doomed;
      assert.ok(attempts.length >= 1);
      assert.ok(deadLettered.includes(attempts[0]!), 'the report comes once the event is dead-lettered');
      assert.equal(reports.filter((r) => r.cause instanceof Doomed && r.cause.id === 'doomed-1').length, 1);
    });

    it('an event handler that fails once and succeeds on redelivery is not reported', async () => {
      await caller.get(EventBus).publish(new Flaky('flaky-1'));
      await eventually(() => assert.deepEqual(server.get(Recorder).flaky, ['flaky-1']), wait);
      // A report made per failed attempt would be in before this one.
      await caller.get(EventBus).publish(new Doomed('doomed-2'));
      await eventually(() => assert.ok(reports.some((r) => r.cause instanceof Doomed && r.cause.id === 'doomed-2')), wait);
      assert.deepEqual(
        reports.filter((r) => r.cause instanceof Flaky),
        [],
      );
    });

    it('UnhandledExceptionBus receives the error of a command an RxJS saga returned, with the command as cause', async () => {
      await caller.get(EventBus).publish(new RejectableHappened('rejected-1'));
      const report = await eventually(() => {
        const hit = reports.find((r) => r.cause instanceof Refused && r.cause.id === 'rejected-1');
        assert.ok(hit, 'no report for the failing saga command');
        return hit;
      }, wait);
      assert.ok(report.exception instanceof Error);
      assert.match(report.exception.message, /refused rejected-1/);
    });

    it('UnhandledExceptionBus receives an error thrown in an RxJS saga, with the saga name as cause', async () => {
      await caller.get(EventBus).publish(new BrittleHappened('brittle-1'));
      const report = await eventually(() => {
        const hit = reports.find((r) => r.cause === 'brittle');
        assert.ok(hit, 'no report for the throwing saga');
        return hit;
      }, wait);
      assert.ok(report.exception instanceof BrittleError);
      assert.equal(report.exception.message, 'brittle brittle-1');
    });

    it('a request-scoped command handler answers calls from another application with a fresh instance per call', async () => {
      const bus = caller.get(CommandBus);
      const first = await bus.execute(new WhoAmI());
      const second = await bus.execute(new WhoAmI());
      assert.notEqual(first.serial, second.serial);
      assert.equal(first.requestIsMessageContext, true);
      assert.equal(second.requestIsMessageContext, true);
      assert.ok(first.messageId && second.messageId && first.messageId !== second.messageId, 'each call is handled through Catga');
    });

    it('a durable request-scoped query handler answers calls from another application with a fresh instance per call', async () => {
      const bus = caller.get(QueryBus);
      const first = await bus.execute(new DurableWho());
      const second = await bus.execute(new DurableWho());
      assert.notEqual(first.serial, second.serial);
      assert.equal(first.requestIsMessageContext, true);
      assert.ok(first.messageId && second.messageId);
    });

    it('scoped handlers are adopted without warnings of a skipped or twice-registered handler', () => {
      const noisy = logs.lines.filter((l) => /already registered|request- or transient-scoped|left to @nestjs\/cqrs/.test(l));
      assert.deepEqual(noisy, []);
    });

    it("an AggregateRoot's events committed through mergeObjectContext are released by the command's handling and reach an @EventsHandler", async () => {
      const commandId = await caller.get(CommandBus).execute(new OpenAccount('acc-object', 'object'));
      const seen = await eventually(() => {
        const hit = caller.get(Recorder).opened.find((o) => o.accountId === 'acc-object');
        assert.ok(hit, 'the aggregate event did not arrive');
        return hit;
      }, wait);
      assert.equal(seen.envelope?.causationId, commandId);
    });

    it("an AggregateRoot's events committed through mergeClassContext are released by the command's handling and reach an @EventsHandler", async () => {
      const commandId = await caller.get(CommandBus).execute(new OpenAccount('acc-class', 'class'));
      const seen = await eventually(() => {
        const hit = caller.get(Recorder).opened.find((o) => o.accountId === 'acc-class');
        assert.ok(hit, 'the aggregate event did not arrive');
        return hit;
      }, wait);
      assert.equal(seen.envelope?.causationId, commandId);
    });
  });
}
