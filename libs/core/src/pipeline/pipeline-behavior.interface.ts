import type { MessageContext } from '../context/message-context.js';
import type { MessageKind } from '../messages/message-kind.js';

/**
 * One link of the pipeline around every handler. Call `next()` to go on (more than once to retry).
 * `C` is the context the behavior reads; the pipeline passes a `HandlingContext`, which is one.
 */
export interface PipelineBehavior<C extends MessageContext = MessageContext> {
  handle(context: C, next: () => Promise<unknown>): Promise<unknown>;
  /** Limits the behavior to some kinds of message; all kinds when absent. */
  appliesTo?(kind: MessageKind): boolean;
}

/** Built-in behaviors sit at these positions; lower runs first (outermost). */
export const BehaviorOrder = {
  logging: 100,
  validation: 200,
  timeout: 300,
  /** Fixed: events raised by a handler are released here once it succeeded and its outcome is stored. */
  outbox: 350,
  idempotency: 400,
  circuitBreaker: 500,
  retry: 600,
  /** Where user behaviors go unless they say otherwise: innermost, right around the handler. */
  user: 1000,
} as const;

export interface OrderedBehavior<C extends MessageContext = MessageContext> {
  readonly order: number;
  readonly behavior: PipelineBehavior<C>;
}
