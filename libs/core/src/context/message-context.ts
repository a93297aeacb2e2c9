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
  /**
   * Store writes the handler asked to land together with the outcome (see `holdWrite`); set
   * when the idempotency store can apply them atomically with the outcome record.
   */
  heldWrites: unknown[] | undefined;
  /** Free-form values behaviors share within one handling. */
  readonly items: Map<string | symbol, unknown>;
  /** Reads an item without making the map (most handlings never write one). */
  peek(key: string | symbol): unknown;
  /**
   * The envelope's id was made for this in-process handling and never left the process: no other
   * handling can carry it, so there is nothing to deduplicate (a send without `messageId` handled
   * by a local handler).
   */
  readonly privateId: boolean;
}

/**
 * The context of one handling. `items` and the abort signal are made on first use: most
 * handlings never read them, and an AbortController per message is measurable.
 */
export class HandlingContext implements MessageContext {
  pendingEvents: Envelope[] | undefined = undefined;
  heldWrites: unknown[] | undefined = undefined;
  private itemMap: Map<string | symbol, unknown> | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private abortedReason: unknown = undefined;
  private assignedSignal: AbortSignal | undefined = undefined;

  constructor(
    readonly envelope: Envelope,
    readonly handler: string,
    readonly privateId = false,
  ) {}

  get items(): Map<string | symbol, unknown> {
    return (this.itemMap ??= new Map());
  }

  /** Reads an item without making the map. */
  peek(key: string | symbol): unknown {
    return this.itemMap?.get(key);
  }

  get signal(): AbortSignal {
    if (this.assignedSignal) return this.assignedSignal;
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedReason !== undefined) this.controller.abort(this.abortedReason);
    }
    return this.controller.signal;
  }

  set signal(signal: AbortSignal) {
    this.assignedSignal = signal;
  }

  /** Why the handling was aborted (its timeout), if it was. */
  get abortReason(): unknown {
    return this.assignedSignal?.aborted ? this.assignedSignal.reason : this.abortedReason;
  }

  /** Aborts the signal, now if it was handed out, else when it first is. */
  abort(reason: unknown): void {
    if (this.abortedReason !== undefined) return;
    this.abortedReason = reason ?? new Error('aborted');
    this.controller?.abort(this.abortedReason);
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
