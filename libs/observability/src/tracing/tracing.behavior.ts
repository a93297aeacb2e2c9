import { Behavior, type MessageContext, type PipelineBehavior, retryAttemptOf, wasReplayed } from '@catga/core';
import { context, propagation, SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import { Inject } from '@nestjs/common';
import { failSpan, messageAttributes } from './operation-spans.js';
import { CATGA_TRACING_SERVICE, type TracingService } from './tracing.tokens.js';

/**
 * A span per handling, child of the trace context the message carried (`traceparent`), with
 * the message's type, id, correlation id, service and instance. The handler runs inside it, so
 * what it sends or publishes carries the span on. A repeat answered from the idempotency store
 * is marked `catga.idempotent.replay`. With no SDK registered the span is not recording and
 * the handling runs as if the behavior were absent.
 */
@Behavior({ order: 40 })
export class TracingBehavior implements PipelineBehavior {
  private readonly tracer: Tracer = trace.getTracer('@catga/observability');

  constructor(@Inject(CATGA_TRACING_SERVICE) private readonly service: TracingService) {}

  handle(ctx: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const { envelope } = ctx;
    const parent = propagation.extract(context.active(), envelope.headers);
    const kind = envelope.kind === 'event' ? SpanKind.CONSUMER : SpanKind.SERVER;
    const span = this.tracer.startSpan(`${envelope.kind} ${envelope.type}`, { kind }, parent);
    if (!span.isRecording()) return next();
    span.setAttributes(messageAttributes(envelope, this.service, 'process'));
    span.setAttribute('catga.handler', ctx.handler);
    return context.with(trace.setSpan(parent, span), next).then(
      (result) => {
        this.finish(ctx, span);
        return result;
      },
      (error: unknown) => {
        failSpan(span, error);
        this.finish(ctx, span);
        throw error;
      },
    );
  }

  private finish(ctx: MessageContext, span: Span): void {
    const retries = retryAttemptOf(ctx);
    if (retries > 0) span.setAttribute('catga.retries', retries);
    if (wasReplayed(ctx)) {
      span.setAttribute('catga.idempotent.replay', true);
      span.addEvent('catga.idempotent_replay');
    }
    span.end();
  }
}
