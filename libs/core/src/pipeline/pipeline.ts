import type { HandlingContext } from '../context/message-context.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { OrderedBehavior, PipelineBehavior } from './pipeline-behavior.interface.js';

export type Terminal = (context: HandlingContext) => Promise<unknown>;

/** The ordered behaviors for each kind of message, composed once and run per handling. */
export class Pipeline {
  private readonly byKind: Record<MessageKind, readonly PipelineBehavior<HandlingContext>[]>;

  constructor(behaviors: readonly OrderedBehavior<HandlingContext>[]) {
    const sorted = [...behaviors].sort((a, b) => a.order - b.order).map((b) => b.behavior);
    const forKind = (kind: MessageKind) => sorted.filter((b) => !b.appliesTo || b.appliesTo(kind));
    this.byKind = { command: forKind('command'), query: forKind('query'), event: forKind('event') };
  }

  /** Runs the chain for the context's kind, then `terminal`. Bound, so it can be passed as is. */
  readonly run = (context: HandlingContext, terminal: Terminal): Promise<unknown> => {
    const chain = this.byKind[context.envelope.kind];
    if (chain.length === 0) return terminal(context);
    if (chain.length === 1) return chain[0]!.handle(context, () => terminal(context));
    // Each position gets its own `next`, so a behavior may call it again (retry) safely.
    const at = (i: number): (() => Promise<unknown>) =>
      i === chain.length ? () => terminal(context) : () => chain[i]!.handle(context, at(i + 1));
    return at(0)();
  };
}
