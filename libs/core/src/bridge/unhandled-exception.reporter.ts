import type { ICommand, IEvent, UnhandledExceptionBus } from '@nestjs/cqrs';
import { currentMessageContext } from '../context/message-context.js';
import type { Envelope } from '../envelope/envelope.js';
import type { LocalHandler } from '../handlers/local-handler.js';
import type { CatgaSignals } from '../signals/catga-signals.js';

/** Failed deliveries kept until their event is dead-lettered or handled; the oldest goes first. */
const MAX_PENDING = 1_000;

interface Failure {
  cause: object;
  exception: unknown;
}

/**
 * Publishes event handler failures on @nestjs/cqrs's `UnhandledExceptionBus`, once per event and
 * handler: when the transport gives the event up (dead letter), with the event and what the
 * handler threw in its last failed delivery here (the pipeline's error when the handler threw none). A failure that a redelivery will retry is not unhandled yet;
 * a broadcast handler is not redelivered, so each of its failures is reported at once.
 */
export class UnhandledExceptionReporter {
  private readonly pending = new Map<string, Failure>();
  /** What the user's handler threw in a handling in progress, before the pipeline wrapped it. */
  private readonly thrown = new Map<string, unknown>();

  constructor(
    private readonly bus: UnhandledExceptionBus,
    signals: CatgaSignals,
    /** `rethrowUnhandled` of @nestjs/cqrs: the error is not published (it still fails the delivery). */
    private readonly rethrowUnhandled: boolean,
  ) {
    signals.on('deadLettered', ({ group, messageId }) => {
      if (messageId === undefined) return;
      const failure = this.pending.get(key(group, messageId));
      if (!failure) return;
      this.pending.delete(key(group, messageId));
      this.publish(failure);
    });
  }

  /** Notes the exception an event handler threw in the current handling (the one to report). */
  handlerThrew(exception: unknown): void {
    const context = currentMessageContext();
    if (context) this.thrown.set(key(context.handler, context.envelope.id), exception);
  }

  /** Watches one delivery of `envelope` to `handler`; returns its outcome unchanged. */
  watch(handler: LocalHandler, envelope: Envelope, handling: Promise<void>): Promise<void> {
    const id = key(handler.name, envelope.id);
    return handling.then(
      () => {
        this.thrown.delete(id);
        this.pending.delete(id);
      },
      (error: unknown) => {
        const exception = this.thrown.has(id) ? this.thrown.get(id) : error;
        this.thrown.delete(id);
        this.failed(handler, envelope, exception);
        throw error;
      },
    );
  }

  private failed(handler: LocalHandler, envelope: Envelope, exception: unknown): void {
    const failure = { cause: envelope.body as object, exception };
    if (handler.broadcast) {
      this.publish(failure);
      return;
    }
    const id = key(handler.name, envelope.id);
    this.pending.delete(id);
    this.pending.set(id, failure);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  private publish(failure: Failure): void {
    if (this.rethrowUnhandled) return;
    try {
      this.bus.publish({ cause: failure.cause as IEvent | ICommand, exception: failure.exception });
    } catch {
      // A custom publisher that throws must not change the delivery's outcome.
    }
  }
}

function key(group: string, messageId: string): string {
  return `${group}\u0000${messageId}`;
}
