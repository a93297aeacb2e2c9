import type { MessageContext } from '../../context/message-context.js';
import type { MessageKind } from '../../messages/message-kind.js';
import type { OutboxPublisher } from '../../outbox/outbox.publisher.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

const SAVED_WITH_OUTCOME = Symbol('catga.events-saved-with-outcome');

/** Records that the handling's pending events were saved to the outbox with its outcome (one atomic step). */
export function markEventsSavedWithOutcome(context: MessageContext): void {
  context.items.set(SAVED_WITH_OUTCOME, true);
}

/**
 * Holds the events a command or event handler raises and releases them only after it succeeded.
 * Always present, just outside idempotency: events go out only once the handling's outcome is
 * stored, so a handling that lost its claim (taken over while it was frozen) releases nothing; a
 * replayed outcome releases nothing; and a handling that finishes after its caller timed out
 * still releases its events with its stored outcome. Where the stores allow it, the idempotency
 * behavior saved the events in the step that stored the outcome; they are then only published.
 */
export class OutboxBehavior implements PipelineBehavior {
  constructor(private readonly outbox: OutboxPublisher) {}

  appliesTo(kind: MessageKind): boolean {
    return kind !== 'query';
  }

  handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    // One `then` rather than an async function: this runs on every command and event.
    return next().then((result) => {
      const events = context.pendingEvents;
      // Anything published after this point (a stray promise of the handler) goes out directly.
      context.pendingEvents = undefined;
      if (!events || events.length === 0) return result;
      return this.outbox.release(events, context.peek(SAVED_WITH_OUTCOME) === true).then(() => result);
    });
  }
}
