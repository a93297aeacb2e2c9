import { Behavior, toCatgaError, type MessageContext, type PipelineBehavior } from '@catga/core';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { CATGA_TRACING_SERVICE } from './tracing.tokens.js';
import { Inject } from '@nestjs/common';

/**
 * A span per handling, child of the trace context the message carried (`traceparent`), with
 * the message's type, id, correlation id, service and instance. The handler runs inside it, so
 * what it sends or publishes carries the span on.
 */
@Behavior({ order: 40 })
export class TracingBehavior implements PipelineBehavior {
  private readonly tracer: Tracer = trace.getTracer('@catga/observability');

  constructor(@Inject(CATGA_TRACING_SERVICE) private readonly service: { serviceName: string; instanceId: string }) {}

  handle(ctx: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const { envelope } = ctx;
    const parent = propagation.extract(context.active(), envelope.headers);
    return this.tracer.startActiveSpan(
      `${envelope.kind} ${envelope.type}`,
      {
        kind: envelope.kind === 'event' ? SpanKind.CONSUMER : SpanKind.SERVER,
        attributes: {
          'messaging.system': 'catga',
          'messaging.operation': 'process',
          'catga.message.type': envelope.type,
          'catga.message.kind': envelope.kind,
          'catga.message.id': envelope.id,
          'catga.correlation.id': envelope.correlationId,
          'catga.handler': ctx.handler,
          'catga.service': this.service.serviceName,
          'catga.instance': this.service.instanceId,
        },
      },
      parent,
      async (span) => {
        try {
          return await next();
        } catch (error) {
          const e = toCatgaError(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.code}: ${e.message}` });
          span.setAttribute('catga.error.code', e.code);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }
}
