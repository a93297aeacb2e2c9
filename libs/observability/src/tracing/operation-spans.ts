import { type Envelope, errorCodeOf } from '@catga/core';
import { CatgaSignals, type Operation } from '@catga/core/transport';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { CATGA_TRACING_SERVICE, type TracingService } from './tracing.tokens.js';

/** The attributes every Catga span of a message carries. */
export function messageAttributes(envelope: Envelope, service: TracingService, operation: string): Attributes {
  return {
    'messaging.system': 'catga',
    'messaging.operation': operation,
    'catga.message.type': envelope.type,
    'catga.message.kind': envelope.kind,
    'catga.message.id': envelope.id,
    'catga.correlation.id': envelope.correlationId,
    'catga.service': service.serviceName,
    'catga.instance': service.instanceId,
  };
}

/** Records a failure on `span` with its Catga error code. */
export function failSpan(span: Span, error: unknown): void {
  const code = errorCodeOf(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${error instanceof Error ? error.message : String(error)}` });
  span.setAttribute('catga.error.code', code);
}

/**
 * A span for each send, publish, retry attempt, saga step and compensation. A send or publish
 * span is a child of the context the message was created in, and the message then carries the
 * span's own context, so the handling on the other side is its child. A send handled in this
 * process has no span of its own: its handling span is the child of the caller's.
 */
@Injectable()
export class OperationSpans implements OnModuleInit, OnModuleDestroy {
  private readonly tracer: Tracer = trace.getTracer('@catga/observability');
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly signals: CatgaSignals,
    @Inject(CATGA_TRACING_SERVICE) private readonly service: TracingService,
  ) {}

  onModuleInit(): void {
    this.stops.push(
      this.signals.wrapOperations((operation, work) => this.span(operation, work)),
      // The trace context of the current async path goes into every message this application creates.
      this.signals.enrichEnvelopes((headers) => propagation.inject(context.active(), headers)),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private span<T>(operation: Operation, work: () => Promise<T>): Promise<T> {
    switch (operation.name) {
      case 'send':
      case 'publish': {
        const { envelope } = operation;
        const parent = propagation.extract(context.active(), envelope.headers);
        const kind = operation.name === 'send' ? SpanKind.CLIENT : SpanKind.PRODUCER;
        return this.run(
          `${operation.name} ${envelope.type}`,
          kind,
          parent,
          () => messageAttributes(envelope, this.service, operation.name),
          (active) => {
            propagation.inject(active, envelope.headers);
            return work();
          },
        );
      }
      case 'retry': {
        const { envelope, attempt } = operation;
        const attributes = () => ({ ...messageAttributes(envelope, this.service, 'process'), 'catga.retry.attempt': attempt });
        return this.run(`retry ${envelope.type} #${attempt}`, SpanKind.INTERNAL, context.active(), attributes, work);
      }
      case 'saga.step':
      case 'saga.compensation': {
        const attributes = (): Attributes => ({
          'catga.saga.name': operation.sagaName,
          'catga.saga.id': operation.sagaId,
          'catga.saga.step': operation.step,
          'catga.message.id': operation.messageId,
          'catga.correlation.id': operation.sagaId,
          'catga.service': this.service.serviceName,
          'catga.instance': this.service.instanceId,
        });
        return this.run(`${operation.name} ${operation.sagaName}/${operation.step}`, SpanKind.INTERNAL, context.active(), attributes, work);
      }
    }
  }

  private run<T>(
    name: string,
    kind: SpanKind,
    parent: Context,
    attributes: () => Attributes,
    work: (active: Context) => Promise<T>,
  ): Promise<T> {
    const span = this.tracer.startSpan(name, { kind }, parent);
    if (!span.isRecording()) return work(parent);
    span.setAttributes(attributes());
    const active = trace.setSpan(parent, span);
    return context.with(active, work, undefined, active).then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    );
  }
}
