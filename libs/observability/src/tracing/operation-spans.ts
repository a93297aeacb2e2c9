import { CatgaSignals, toCatgaError, type Envelope, type Operation } from '@catga/core';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { CATGA_TRACING_SERVICE, type TracingService } from './tracing.tokens.js';

/** The attributes every Catga span of a message carries. */
export function messageAttributes(envelope: Envelope, service: TracingService): Attributes {
  return {
    'messaging.system': 'catga',
    'catga.message.type': envelope.type,
    'catga.message.kind': envelope.kind,
    'catga.message.id': envelope.id,
    'catga.correlation.id': envelope.correlationId,
    'catga.service': service.serviceName,
    'catga.instance': service.instanceId,
  };
}

/** Ends `span` with the outcome of `work`, recording a failure with its Catga error code. */
export async function endWithOutcome<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const e = toCatgaError(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.code}: ${e.message}` });
    span.setAttribute('catga.error.code', e.code);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A span for each send, publish, retry attempt, saga step and compensation. A send or publish
 * span is a child of the context the message was created in, and the message then carries the
 * span's own context, so the handling on the other side is its child.
 */
@Injectable()
export class OperationSpans implements OnModuleInit, OnModuleDestroy {
  private readonly tracer: Tracer = trace.getTracer('@catga/observability');
  private stop: (() => void) | undefined;

  constructor(
    private readonly signals: CatgaSignals,
    @Inject(CATGA_TRACING_SERVICE) private readonly service: TracingService,
  ) {}

  onModuleInit(): void {
    this.stop = this.signals.wrapOperations((operation, work) => this.span(operation, work));
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  private span<T>(operation: Operation, work: () => Promise<T>): Promise<T> {
    switch (operation.name) {
      case 'send':
      case 'publish': {
        const { envelope } = operation;
        const parent = propagation.extract(context.active(), envelope.headers);
        const kind = operation.name === 'send' ? SpanKind.CLIENT : SpanKind.PRODUCER;
        const attributes = { ...messageAttributes(envelope, this.service), 'messaging.operation': operation.name };
        return this.run(`${operation.name} ${envelope.type}`, kind, attributes, parent, () => {
          propagation.inject(context.active(), envelope.headers);
          return work();
        });
      }
      case 'retry': {
        const attributes = { ...messageAttributes(operation.envelope, this.service), 'catga.retry.attempt': operation.attempt };
        return this.run(`retry ${operation.envelope.type} #${operation.attempt}`, SpanKind.INTERNAL, attributes, context.active(), work);
      }
      case 'saga.step':
      case 'saga.compensation': {
        const attributes: Attributes = {
          'catga.saga.name': operation.sagaName,
          'catga.saga.id': operation.sagaId,
          'catga.saga.step': operation.step,
          'catga.message.id': operation.messageId,
          'catga.correlation.id': operation.sagaId,
          'catga.service': this.service.serviceName,
          'catga.instance': this.service.instanceId,
        };
        return this.run(`${operation.name} ${operation.sagaName}/${operation.step}`, SpanKind.INTERNAL, attributes, context.active(), work);
      }
    }
  }

  private run<T>(name: string, kind: SpanKind, attributes: Attributes, parent: Context, work: () => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind, attributes }, parent, (span) => endWithOutcome(span, work));
  }
}
