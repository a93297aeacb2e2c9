import { serializeError, type SerializedError } from '@catga/core';
import { decodeEnvelope, WireHeader, type DeadLetter, type DeadLetterFacts, type TransportSignals } from '@catga/core/transport';
import type { RedisClient } from './redis-streams.connection.js';
import { bodyOf, fieldsOf, headersOf, type StreamEntry } from './redis-stream.entry.js';

/** The dead-letter stream, one per prefix: each entry keeps the event's `h` and `b` with `type`, `group`, `deliveries`, `error` and `at` fields. */
export class RedisDeadLetterStream {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
    private readonly maxLength: number,
    private readonly logger: { warn(message: string): void },
  ) {}

  /** Writes the event's entry with why it died, then tells the observers. */
  async write(fields: ReadonlyMap<string, string>, facts: DeadLetterFacts, signals: TransportSignals | undefined): Promise<void> {
    const { type, group, deliveries, error } = facts;
    const messageId = headersOf(fields).get(WireHeader.messageId);
    const serialized = serializeError(error, messageId);
    await this.client.xadd(
      this.key, 'MAXLEN', '~', String(this.maxLength), '*',
      'h', fields.get('h') ?? '{}', 'b', fields.get('b') ?? '', 'type', type, 'group', group,
      'deliveries', String(deliveries), 'error', JSON.stringify(serialized), 'at', String(Date.now()),
    );
    signals?.emit('deadLettered', { type, group, messageId, deliveries, error: serialized });
    this.logger.warn(`Dead-lettered ${type} for ${group} after ${deliveries} deliveries: ${String((error as Error)?.message ?? error)}`);
  }

  /** Reads an entry of this stream back. */
  read(entry: StreamEntry): DeadLetter {
    const f = fieldsOf(entry);
    return {
      envelope: decodeEnvelope(headersOf(f), bodyOf(f), { maxBodyBytes: Number.MAX_SAFE_INTEGER, defaultKind: 'event' }),
      group: f.get('group') ?? '',
      deliveries: Number(f.get('deliveries') ?? 0),
      error: JSON.parse(f.get('error') ?? '{}') as SerializedError,
      deadLetteredAt: Number(f.get('at') ?? Date.now()),
    };
  }
}
