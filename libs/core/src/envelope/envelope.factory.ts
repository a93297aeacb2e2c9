import type { MessageContext } from '../context/message-context.js';
import type { MessageKind } from '../messages/message-kind.js';
import type { Envelope } from './envelope.js';
import { newMessageId } from './message-id.js';
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
