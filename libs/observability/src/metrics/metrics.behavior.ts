import { Behavior, type MessageContext, type PipelineBehavior, retryAttemptOf, errorCodeOf, wasReplayed } from '@catga/core';
import { CatgaMetrics } from './catga.metrics.js';

/** Outermost behavior: counts and times every handling, and the retries and replays inside it. */
@Behavior({ order: 50 })
export class MetricsBehavior implements PipelineBehavior {
  constructor(private readonly metrics: CatgaMetrics) {}

  handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const started = performance.now();
    return next().then(
      (result) => {
        const replayed = wasReplayed(context);
        if (!replayed && context.envelope.kind === 'event') this.metrics.eventsHandled.inc({ type: context.envelope.type });
        this.record(context, replayed ? 'replay' : 'success', started);
        return result;
      },
      (error: unknown) => {
        const { type, kind } = context.envelope;
        const replayed = wasReplayed(context);
        this.metrics.failed.inc({ type, kind, code: errorCodeOf(error) });
        this.record(context, replayed ? 'replay' : 'error', started);
        throw error;
      },
    );
  }

  private record(context: MessageContext, outcome: 'success' | 'error' | 'replay', started: number): void {
    const { type, kind } = context.envelope;
    this.metrics.handlings.record(type, kind, outcome, (performance.now() - started) / 1000);
    const retries = retryAttemptOf(context);
    if (retries > 0) this.metrics.retries.inc({ type }, retries);
    if (outcome === 'replay') this.metrics.replays.inc({ type });
  }
}
