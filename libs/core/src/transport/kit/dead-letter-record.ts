import { decodeEnvelope } from '../../wire/envelope.codec.js';
import { WireHeader } from '../../wire/wire-headers.js';
import { serializeError, type SerializedError } from '../../errors/error.serializer.js';
import type { ArchivedDeadLetter, DeadLetter, DeadLetterQuery, TransportSignals } from '../transport.interface.js';

/** Why an event went to the dead letters: written beside its original headers on every transport. */
export interface DeadLetterFacts {
  readonly type: string;
  /** The handler group that gave up. */
  readonly group: string;
  readonly deliveries: number;
  readonly error: unknown;
}

export interface DeadLetterRecord {
  /** The event's own headers plus `Catga-Dead-Group`, `-Deliveries`, `-Error` (JSON) and `-At` (epoch ms). */
  readonly headers: Record<string, string>;
  /** The event's message id, when it had a readable one. */
  readonly messageId: string | undefined;
  readonly error: SerializedError;
}

/** The one dead-letter shape (docs/PROTOCOL.md): what a transport stores with the event's body. */
export function deadLetterRecord(original: Iterable<[string, string]>, facts: DeadLetterFacts, now = Date.now()): DeadLetterRecord {
  const headers: Record<string, string> = Object.fromEntries(original);
  const messageId = headers[WireHeader.messageId];
  const error = serializeError(facts.error, messageId);
  headers[WireHeader.deadGroup] = facts.group;
  headers[WireHeader.deadDeliveries] = String(facts.deliveries);
  headers[WireHeader.deadError] = JSON.stringify(error);
  headers[WireHeader.deadAt] = String(now);
  return { headers, messageId, error };
}

/** Reads a stored dead letter back; throws a typed wire error when its headers are unreadable. */
export function readDeadLetter(headers: ReadonlyMap<string, string>, body: Uint8Array): DeadLetter {
  // Read back whole: a body refused for its size is the dead letter an operator most needs to see.
  const envelope = decodeEnvelope(headers, body, {
    maxBodyBytes: Number.MAX_SAFE_INTEGER,
    maxArrayLength: Number.MAX_SAFE_INTEGER,
    maxStringLength: Number.MAX_SAFE_INTEGER,
    defaultKind: 'event',
  });
  const at = Number(headers.get(WireHeader.deadAt));
  return {
    envelope,
    group: headers.get(WireHeader.deadGroup) ?? '',
    deliveries: Number(headers.get(WireHeader.deadDeliveries) ?? 0),
    error: JSON.parse(headers.get(WireHeader.deadError) ?? '{}') as SerializedError,
    deadLetteredAt: Number.isFinite(at) ? at : Date.now(),
  };
}

/** The dead letters a listing returns when it names no limit. */
export const DEFAULT_DEAD_LETTER_LIST_LIMIT = 100;

/** A stored dead letter read back with the archive's id for it; throws a typed wire error when its headers are unreadable. */
export function archivedDeadLetter(id: string, headers: ReadonlyMap<string, string>, body: Uint8Array): ArchivedDeadLetter {
  return { ...readDeadLetter(headers, body), id, headers: Object.fromEntries(headers), body };
}

/** Whether a dead letter is one `query` asks for (its limit aside). */
export function matchesDeadLetterQuery(deadLetter: DeadLetter, query: DeadLetterQuery): boolean {
  return (
    (query.type === undefined || deadLetter.envelope.type === query.type) &&
    (query.group === undefined || deadLetter.group === query.group) &&
    (query.since === undefined || deadLetter.deadLetteredAt >= query.since)
  );
}

/** The event's own headers of a stored dead letter: the `Catga-Dead-*` ones left out, to send it again as it was. */
export function originalHeadersOf(stored: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in stored) if (!DEAD_HEADERS.has(name)) out[name] = stored[name]!;
  return out;
}

const DEAD_HEADERS = new Set<string>([WireHeader.deadGroup, WireHeader.deadDeliveries, WireHeader.deadError, WireHeader.deadAt]);

/** Tells the observers and the log that an event was dead-lettered here. */
export function reportDeadLetter(
  signals: TransportSignals | undefined,
  logger: { warn(message: string): void },
  facts: DeadLetterFacts,
  record: Pick<DeadLetterRecord, 'messageId' | 'error'>,
): void {
  signals?.emit('deadLettered', {
    type: facts.type,
    group: facts.group,
    messageId: record.messageId,
    deliveries: facts.deliveries,
    error: record.error,
  });
  logger.warn(
    `Dead-lettered ${facts.type} ${record.messageId ?? '(no id)'} for ${facts.group} after ${facts.deliveries} deliveries: ${record.error.message}`,
  );
}
