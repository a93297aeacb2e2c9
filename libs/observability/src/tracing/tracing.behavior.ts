import { Behavior, retryAttemptOf, wasReplayed, type MessageContext, type PipelineBehavior } from '@catga/core';
import { context, propagation, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { Inject } from '@nestjs/common';
import { endWithOutcome, messageAttributes } from './operation-spans.js';
import { CATGA_TRACING_SERVICE, type TracingService } from './tracing.tokens.js';

/**
 * A span per handling, child of the trace context the message carried (`traceparent`), with
 * the message's type, id, correlation id, service and instance. The handler runs inside it, so
 * what it sends or publishes carries the span on. A repeat answered from the idempotency store
 * is marked `catga.idempotent.replay`.
 */
@Behavior({ order: 40 })
export class TracingBehavior implements PipelineBehavior {
  private readonly tracer: Tracer = trace.getTracer('@catga/observability');

  constructor(@Inject(CATGA_TRACING_SERVICE) private readonly service: TracingService) {}

  handle(ctx: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const { envelope } = ctx;
    const parent = propagation.extract(context.active(), envelope.headers);
    const attributes = { ...messageAttributes(envelope, this.service), 'messaging.operation': 'process', 'catga.handler': ctx.handler };
    const kind = envelope.kind === 'event' ? SpanKind.CONSUMER : SpanKind.SERVER;
    return this.tracer.startActiveSpan(`${envelope.kind} ${envelope.type}`, { kind, attributes }, parent, (span) =>
      endWithOutcome(span, () =>
        next().finally(() => {
          const retries = retryAttemptOf(ctx);
          if (retries > 0) span.setAttribute('catga.retries', retries);
          if (wasReplayed(ctx)) {
            span.setAttribute('catga.idempotent.replay', true);
            span.addEvent('catga.idempotent_replay');
          }
        }),
      ),
    );
  }
}
