import { AsyncLocalStorage } from 'node:async_hooks';
import type { Envelope } from '../envelope/envelope.js';

/** What a handler invocation knows about the message it handles; behaviors read and extend it. */
export interface MessageContext {
  readonly envelope: Envelope;
  /** The handler's name, qualified by service (`orders.ChargePaymentHandler`). */
  readonly handler: string;
  /** Aborted when the handler's time is up or the instance is shutting down. */
  signal: AbortSignal;
  /** Events raised during this handling, released only when it succeeds. */
  pendingEvents: Envelope[] | undefined;
  /** Free-form values behaviors share within one handling. */
  readonly items: Map<string | symbol, unknown>;
}

const storage = new AsyncLocalStorage<MessageContext>();

/** The context of the message being handled on this async path, if any. */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

export function runInMessageContext<T>(context: MessageContext, fn: () => T): T {
  return storage.run(context, fn);
}
