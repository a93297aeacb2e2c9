import type { MessageContext } from '../context/message-context.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { Envelope } from './envelope.js';
import { ValidationFailedError } from '../errors/catga-errors.js';
import { isValidMessageId, MAX_ID_LENGTH, newMessageId } from './message-id.js';
import type { EnvelopeEnrichers } from './envelope-enrichers.js';

export interface EnvelopeOptions {
  /** Reuse an id to make a retry idempotent (for example an HTTP `Idempotency-Key`). */
  messageId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Wraps a message, inheriting correlation from the message being handled (its id becomes the causation id). */
export function createEnvelope<T>(
  body: T,
  type: string,
  kind: MessageKind,
  options: EnvelopeOptions | undefined,
  parent: MessageContext | undefined,
  enrichers?: EnvelopeEnrichers,
): Envelope<T> {
  if (options?.messageId !== undefined) assertId('messageId', options.messageId);
  if (options?.correlationId !== undefined) assertId('correlationId', options.correlationId);
  const id = options?.messageId ?? newMessageId();
  return {
    id,
    type,
    kind,
    correlationId: options?.correlationId ?? parent?.envelope.correlationId ?? id,
    causationId: parent?.envelope.id,
    timestamp: Date.now(),
    headers: enrichers ? enrichers.apply(options?.headers ?? NO_HEADERS) : (options?.headers ?? NO_HEADERS),
    body,
  };
}

// Refused where it enters: a longer id would make headers a broker refuses, and a message the outbox could never publish.
function assertId(property: 'messageId' | 'correlationId', id: string): void {
  if (isValidMessageId(id)) return;
  const constraint = `${property} must be 1 to ${MAX_ID_LENGTH} printable ASCII characters`;
  throw new ValidationFailedError(`Invalid ${property} (${id.length} characters)`, [{ property, constraints: { messageId: constraint } }]);
}
