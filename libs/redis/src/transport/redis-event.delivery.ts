import { type Envelope, HandlerFailedError, ShuttingDownError } from '@catga/core';
import { type DeadLetterFacts, type EventHandler, redeliveryDelay } from '@catga/core/transport';

import type { GroupHandler } from './redis-group.reader.js';
import { fieldsOf, type StreamEntry } from './redis-stream.entry.js';

export interface EventDeliveryOptions {
  readonly type: string;
  readonly group: string;
  readonly maxDeliveries: number;
  readonly redeliveryDelayMs: number;
  readonly decode: (entry: StreamEntry) => Envelope;
  readonly handler: EventHandler;
  readonly deadLetter: (fields: ReadonlyMap<string, string>, facts: DeadLetterFacts) => Promise<void>;
}

/**
 * How a handler group's reader handles one event: acked after success, claimed back after a
 * growing delay when it fails, dead-lettered after `maxDeliveries` (counting deliveries whose
 * reader died) or at once when undecodable; given back uncounted when refused for shutdown.
 */
export function eventDelivery(options: EventDeliveryOptions): GroupHandler {
  const { type, group, maxDeliveries, redeliveryDelayMs, decode, handler, deadLetter } = options;
  return async (entry, deliveries) => {
    const attempt = Math.max(deliveries, 1);
    let envelope: Envelope;
    try {
      envelope = decode(entry);
    } catch (error) {
      await deadLetter(fieldsOf(entry), { type, group, deliveries: attempt, error });
      return true;
    }
    if (attempt > maxDeliveries) {
      // Its last delivery died with its reader (a crash on this very event, perhaps): the handler never reported an error.
      const error = new HandlerFailedError(`Gave up after ${attempt - 1} deliveries`, { messageId: envelope.id });
      await deadLetter(fieldsOf(entry), { type, group, deliveries: attempt, error });
      return true;
    }
    try {
      await handler(envelope, { attempt });
      return true;
    } catch (error) {
      // Refused by this instance for shutdown: not a failure, and this delivery is not counted.
      if (error instanceof ShuttingDownError) return 'refused';
      if (attempt >= maxDeliveries) {
        await deadLetter(fieldsOf(entry), { type, group, deliveries: attempt, error });
        return true;
      }
      return redeliveryDelay(attempt, redeliveryDelayMs);
    }
  };
}

/** How a broadcast reader handles one event: once, as attempt 1; a failure is logged, never redelivered. */
export function broadcastDelivery(
  type: string,
  decode: (entry: StreamEntry) => Envelope,
  handler: EventHandler,
  logger: { warn(message: string): void },
): (entry: StreamEntry) => Promise<void> {
  return async (entry) => {
    try {
      await handler(decode(entry), { attempt: 1 });
    } catch (error) {
      logger.warn(`Broadcast ${type} failed: ${String(error)}`);
    }
  };
}
