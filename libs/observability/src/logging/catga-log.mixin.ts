import { currentMessageContext } from '@catga/core';
import { trace } from '@opentelemetry/api';

/**
 * Fields added to every log line: the message being handled on this async path (type, id,
 * correlation id, handler) and the active trace id. Empty outside a handling.
 */
export function catgaLogFields(): Record<string, string> {
  const out: Record<string, string> = {};
  const context = currentMessageContext();
  if (context) {
    out.messageType = context.envelope.type;
    out.messageId = context.envelope.id;
    out.correlationId = context.envelope.correlationId;
    out.handler = context.handler;
  }
  const span = trace.getActiveSpan();
  if (span) out.traceId = span.spanContext().traceId;
  return out;
}
