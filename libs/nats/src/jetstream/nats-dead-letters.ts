import {
  type DeadLetter,
  type DeadLetterFacts,
  deadLetterRecord,
  readDeadLetter,
  reportDeadLetter,
  type TransportSignals,
  type TransportSubscription,
  WireHeader,
} from '@catga/core/transport';
import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@nestjs/common';
import type { Subjects } from '../subjects.js';
import { fromNatsHeaders } from '../wire/nats-headers.js';
import type { NatsStreamPublisher } from './nats-stream.publisher.js';

/** The dead-letter stream: events that exhausted their deliveries, written with their error and read back. */
export class NatsDeadLetters {
  constructor(
    private readonly js: JetStreamClient,
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
