import type { Logger } from '@nestjs/common';
import { InvalidSagaException, type CommandBus, type ICommand, type IEvent, type UnhandledExceptionBus } from '@nestjs/cqrs';
import { catchError, defer, filter, mergeMap, Observable, of, Subject, type Subscription } from 'rxjs';

export type RxSaga = (events$: Observable<IEvent>) => Observable<ICommand | null | undefined>;

/**
 * Runs @nestjs/cqrs `@Saga()` streams on the events Catga delivers. Each saga is subscribed as
 * `EventBus.registerSaga` does (falsy values skipped, a stream error reported with the saga's name,
 * each command run by `CommandBus.execute` and its failure reported with the command), so the
 * commands go through Catga like any other.
 */
export class RxSagaFeed {
  private readonly events$ = new Subject<IEvent>();
  private readonly subscriptions: Subscription[] = [];
  /** The command executions started while an event is being fed, so its handling waits for them. */
  private started: Array<Promise<unknown>> | undefined;

  constructor(
    private readonly commandBus: CommandBus,
    private readonly unhandled: UnhandledExceptionBus,
    private readonly rethrowUnhandled: boolean,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.subscriptions.length;
  }

  register(saga: RxSaga, name: string): void {
    const stream$ = saga(this.events$.asObservable());
    if (!(stream$ instanceof Observable)) throw new InvalidSagaException();
    const subscription = stream$
      .pipe(
        filter((command): command is ICommand => !!command),
        catchError((error: unknown) => {
          if (this.rethrowUnhandled) throw error;
          this.report(name, error);
          this.logger.error(`Saga "${name}" has thrown an unhandled exception.`, error);
          return of<ICommand>();
        }),
        mergeMap((command) =>
          defer(() => this.execute(command)).pipe(
            catchError((error: unknown) => {
              if (this.rethrowUnhandled) throw error;
              this.report(command, error);
              this.logger.error('Command handler which execution was triggered by Saga has thrown an unhandled exception.', error);
              return of();
            }),
          ),
        ),
      )
      .subscribe();
    this.subscriptions.push(subscription);
  }

  /**
   * Gives one event to every saga; resolves when the commands they returned for it at once have
   * finished (successfully or reported), so the event is acknowledged after them.
   */
  async feed(event: object): Promise<void> {
    const outer = this.started;
    const started: Array<Promise<unknown>> = [];
    this.started = started;
    try {
      this.events$.next(event as IEvent);
    } finally {
      this.started = outer;
    }
    await Promise.allSettled(started);
  }

  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  private execute(command: ICommand): Promise<unknown> {
    const execution = this.commandBus.execute(command);
    this.started?.push(execution);
    return execution;
  }

  private report(cause: unknown, exception: unknown): void {
    // @nestjs/cqrs gives the saga's name as the cause of a stream error, whatever its type says.
    this.unhandled.publish({ cause: cause as ICommand, exception });
  }
}
