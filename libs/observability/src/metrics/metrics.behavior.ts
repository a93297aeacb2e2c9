import { Behavior, retryAttemptOf, toCatgaError, wasReplayed, type MessageContext, type PipelineBehavior } from '@catga/core';
import { CatgaMetrics } from './catga.metrics.js';

/** Outermost behavior: counts and times every handling, and the retries and replays inside it. */
@Behavior({ order: 50 })
export class MetricsBehavior implements PipelineBehavior {
  constructor(private readonly metrics: CatgaMetrics) {}

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const { type, kind } = context.envelope;
    const started = performance.now();
    let outcome = 'success';
    try {
      const result = await next();
      if (wasReplayed(context)) outcome = 'replay';
      else if (kind === 'event') this.metrics.eventsHandled.inc({ type });
      return result;
    } catch (error) {
      outcome = wasReplayed(context) ? 'replay' : 'error';
      this.metrics.failed.inc({ type, kind, code: toCatgaError(error).code });
      throw error;
    } finally {
      this.metrics.requests.inc({ type, kind, outcome });
      this.metrics.duration.observe({ type, kind, outcome }, (performance.now() - started) / 1000);
      const retries = retryAttemptOf(context);
      if (retries > 0) this.metrics.retries.inc({ type }, retries);
      if (outcome === 'replay') this.metrics.replays.inc({ type });
    }
  }
}
