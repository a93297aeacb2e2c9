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

/** The context of one handling; `items` is made on first use, most handlings never need it. */
export class HandlingContext implements MessageContext {
  signal: AbortSignal;
  pendingEvents: Envelope[] | undefined = undefined;
  private itemMap: Map<string | symbol, unknown> | undefined = undefined;

  constructor(
    readonly envelope: Envelope,
    readonly handler: string,
    signal: AbortSignal,
  ) {
    this.signal = signal;
  }

  get items(): Map<string | symbol, unknown> {
    return (this.itemMap ??= new Map());
  }
}

const storage = new AsyncLocalStorage<MessageContext>();

/** The context of the message being handled on this async path, if any. */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

export function runInMessageContext<T, A extends unknown[]>(context: MessageContext, fn: (...args: A) => T, ...args: A): T {
  return storage.run(context, fn, ...args);
}
