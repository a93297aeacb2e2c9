import {
  type ArchivedDeadLetter,
  archivedDeadLetter,
  type DeadLetter,
  type DeadLetterArchive,
  type DeadLetterFacts,
  type DeadLetterQuery,
  DEFAULT_DEAD_LETTER_LIST_LIMIT,
  deadLetterRecord,
  matchesDeadLetterQuery,
  readDeadLetter,
  reportDeadLetter,
  type TransportSignals,
  type TransportSubscription,
  WireHeader,
} from '@catga/core/transport';
import { DeliverPolicy, JetStreamApiError, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import type { Subjects } from '../subjects.js';
import { fromNatsHeaders } from '../wire/nats-headers.js';
import type { NatsStreamPublisher } from './nats-stream.publisher.js';

/** Dead letters read per pull while listing. */
const LIST_BATCH = 256;
/** How long a listing's pull waits for the stream to have more for it. */
const LIST_WAIT_MS = 1_000;

/**
 * The dead-letter stream: events that exhausted their deliveries, written with their error and
 * read back, live (`subscribe`) or as an archive (by stream sequence).
 */
export class NatsDeadLetters implements DeadLetterArchive {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly publisher: NatsStreamPublisher,
    private readonly subjects: Subjects,
    private readonly signals: TransportSignals,
    private readonly logger: Logger,
  ) {}

  /** Publishes the event with its original body and headers plus why; one copy per group (`<id>:<group>`). */
  async write(msg: JsMsg, facts: DeadLetterFacts): Promise<void> {
    const record = deadLetterRecord(this.originalHeaders(msg, facts.type), facts);
    const id = record.messageId ?? `seq-${msg.seq}`;
    await this.publisher.publish(this.subjects.deadLetter(facts.type), msg.data, record.headers, `${id}:${facts.group}`);
    reportDeadLetter(this.signals, this.logger, facts, record);
  }

  /** Hands every dead letter written from now on to `handler`; an unreadable one is logged and skipped. */
  async subscribe(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    const consumer = await this.js.consumers.get(this.subjects.deadLetterStream(), { deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume();
    const loop = (async () => {
      for await (const msg of messages) {
        const deadLetter = this.read(msg);
        if (deadLetter) await handler(deadLetter).catch((e: unknown) => this.logger.warn(`Dead-letter handler failed: ${String(e)}`));
      }
    })();
    return {
      unsubscribe: async () => {
        await messages.close().catch(() => undefined);
        await loop;
      },
    };
  }

  /**
   * Reads the stream from its start (or `since`) through an ordered consumer filtered on the type,
   * until it has `limit` matches or has read the last message.
   */
  async list(query: DeadLetterQuery = {}): Promise<ArchivedDeadLetter[]> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIST_LIMIT;
    const stream = this.subjects.deadLetterStream();
    if ((await this.jsm.streams.info(stream)).state.messages === 0) return [];
    const consumer = await this.js.consumers.get(stream, {
      filter_subjects: query.type === undefined ? this.subjects.allDeadLetters() : this.subjects.deadLetter(query.type),
      ...(query.since === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(query.since).toISOString() }),
    });
    const out: ArchivedDeadLetter[] = [];
    for (;;) {
      let read = 0;
      let last = false;
      for await (const msg of await consumer.fetch({ max_messages: LIST_BATCH, expires: LIST_WAIT_MS })) {
        read++;
        const entry = this.archived(msg.seq, msg);
        if (entry && matchesDeadLetterQuery(entry, query)) out.push(entry);
        last = msg.info.pending === 0;
        if (last || out.length >= limit) break;
      }
      if (last || read === 0 || out.length >= limit) return out;
    }
  }

  async get(id: string): Promise<ArchivedDeadLetter | undefined> {
    const seq = Number(id);
    if (!Number.isSafeInteger(seq) || seq <= 0) return undefined;
    const stored = await this.jsm.streams.getMessage(this.subjects.deadLetterStream(), { seq });
    return (stored && this.archived(seq, { headers: stored.header, data: stored.data })) ?? undefined;
  }

  async remove(id: string): Promise<boolean> {
    const seq = Number(id);
    if (!Number.isSafeInteger(seq) || seq <= 0) return false;
    const stream = this.subjects.deadLetterStream();
    try {
      return await this.jsm.streams.deleteMessage(stream, seq, false);
    } catch (error) {
      // The server says "delete failed" (10057) whatever the reason; one that is not there was not removed.
      if (error instanceof JetStreamApiError && !(await this.jsm.streams.getMessage(stream, { seq }))) return false;
      throw error;
    }
  }

  private archived(seq: number, msg: { readonly headers?: MsgHdrs; readonly data: Uint8Array }): ArchivedDeadLetter | undefined {
    try {
      return archivedDeadLetter(String(seq), fromNatsHeaders(msg), msg.data);
    } catch (error) {
      this.logger.warn(`Unreadable dead letter ${seq}: ${String(error)}`);
      return undefined;
    }
  }

  /** The event's headers; when its header block cannot be parsed, its type and sequence stand in for them. */
  private originalHeaders(msg: JsMsg, type: string): Map<string, string> {
    try {
      return fromNatsHeaders(msg);
    } catch {
      return new Map([
        [WireHeader.messageId, `seq-${msg.seq}`],
        [WireHeader.type, type],
      ]);
    }
  }

  private read(msg: JsMsg): DeadLetter | undefined {
    try {
      return readDeadLetter(fromNatsHeaders(msg), msg.data);
    } catch (error) {
      this.logger.warn(`Unreadable dead letter ${msg.seq}: ${String(error)}`);
      return undefined;
    } finally {
      msg.ack();
    }
  }
}
