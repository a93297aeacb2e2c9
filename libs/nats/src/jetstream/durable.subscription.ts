import { HandlerFailedError, ShuttingDownError } from '@catga/core';
import { backoffDelay, decodeEnvelope, type EventHandler, type InFlight, redeliveryDelay, sleep } from '@catga/core/transport';

import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import type { TurnWrites } from '../connection/turn-writes.js';
import type { NatsConsumerSettings } from '../nats-settings.js';
import { fromNatsHeaders } from '../wire/nats-headers.js';
import { isNotFound } from './stream.setup.js';

/** Attempts at creating or updating the consumer before `start` fails. */
const ENSURE_ATTEMPTS = 6;
/** Pause after a failed pull, doubling with each failure in a row. */
const PULL_FAILURE_PAUSE = { initialMs: 200, maxMs: 5_000 };
/** The most often an event in hand is marked in progress, in ms. */
const MIN_WORKING_MS = 50;
/** Redelivery delay of an event whose dead-lettering failed (the dead-letter stream unreachable). */
const DEAD_LETTER_RETRY_MS = 5_000;
/** An event refused for shutdown is redelivered after this many pull lifetimes, once the refusing replica's pulls have expired. */
const REFUSED_REDELIVERY_PULLS = 2;

export interface DurableSettings extends NatsConsumerSettings {
  readonly stream: string;
  readonly consumer: string;
  readonly filterSubject: string;
  readonly type: string;
  readonly group: string;
  readonly maxPayloadBytes: number;
}

export type DeadLetterSink = (msg: JsMsg, error: unknown, deliveries: number) => Promise<void>;

/**
 * One durable pull consumer shared by every replica of a handler group: each event goes to one
 * replica, is acked after the handler succeeds, nak'ed with a growing delay when it fails, and
 * dead-lettered (then terminated) when it has failed `maxDeliveries` times or cannot be decoded.
 * While a handler runs, its event is marked in progress every third of `ackWaitMs`, so a short ack
 * wait never redelivers a slow handling, and an event whose replica died (or froze) comes back to
 * another one after `ackWaitMs`.
 *
 * JetStream counts every delivery, and a nak cannot take one back: a draining replica stops
 * pulling and handles what its open pulls still bring rather than giving it back, so a drain costs
 * no event a delivery. A handling refused for shutdown is nak'ed past this replica's open pulls and
 * never dead-lettered for the refusal.
 */
export class DurableSubscription {
  private readonly logger = new Logger('CatgaNats');
  private loop: Promise<void> | undefined;
  private active = 0;
  /** Messages asked for by pulls still open. */
  private requested = 0;
  private failures = 0;
  private readonly pulls = new Set<Promise<void>>();
  private waiting: Array<() => void> = [];
  private stopped = false;
  private readonly ackFailed = (error: unknown): void =>
    this.logger.warn(`Could not ack an event on ${this.settings.consumer}: ${String(error)}`);

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: DurableSettings,
    private readonly handler: EventHandler,
    private readonly deadLetter: DeadLetterSink,
    private readonly inFlight: InFlight,
    private readonly writes: TurnWrites,
  ) {}

  async start(): Promise<void> {
    await this.ensureConsumer();
    const consumer = await this.js.consumers.get(this.settings.stream, this.settings.consumer);
    this.loop = this.run(consumer);
  }

  /**
   * Stops pulling. Pulls in progress end within `pullExpiresMs`; what they still bring is handled
   * here, like the handlings in hand (the transport waits for them), and acked or nak'ed.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.pulls]);
  }

  // Bounded fetches rather than an endless consume(): NATS 2.9 cannot cancel a pull request, so a
  // stopped replica must let its last ones expire, or events sent to them wait out the ack timeout.
  // Several fetches overlap, so a pull waiting out its expiry never holds free slots idle.
  private async run(consumer: Consumer): Promise<void> {
    const minBatch = Math.max(1, Math.floor(this.settings.concurrency / 4));
    while (!this.stopped) {
      const free = this.settings.concurrency - this.active - this.requested;
      if (free < minBatch) {
        await new Promise<void>((r) => this.waiting.push(r));
        continue;
      }
      this.requested += free;
      const pull = this.pull(consumer, free);
      this.pulls.add(pull);
      void pull.finally(() => this.pulls.delete(pull));
      if (this.failures > 0) await sleep(backoffDelay(this.failures, PULL_FAILURE_PAUSE));
    }
  }

  private async pull(consumer: Consumer, count: number): Promise<void> {
    let received = 0;
    try {
      const batch = await consumer.fetch({ max_messages: count, expires: this.settings.pullExpiresMs });
      for await (const msg of batch) {
        received++;
        this.requested--;
        this.dispatch(msg);
      }
      this.failures = 0;
    } catch (error) {
      if (!this.stopped) {
        this.failures++;
        if (this.failures === 1 || this.failures % 30 === 0) this.logger.warn(`Pull on ${this.settings.consumer} failed: ${String(error)}`);
      }
    } finally {
      this.requested -= count - received;
      this.wake();
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private dispatch(msg: JsMsg): void {
    // Even once stopped: a nak would count a delivery, and an immediate one comes back to the
    // pulls still open here, again and again, until the event is dead-lettered unhandled.
    this.active++;
    const work = this.handle(msg).finally(() => {
      this.active--;
      this.wake();
    });
    this.inFlight.track(work);
  }

  private async handle(msg: JsMsg): Promise<void> {
    const s = this.settings;
    const deliveries = msg.info.deliveryCount;
    let envelope;
    try {
      envelope = decodeEnvelope(fromNatsHeaders(msg), msg.data, {
        maxBodyBytes: s.maxPayloadBytes,
        expectedType: s.type,
        defaultKind: 'event',
      });
    } catch (error) {
      await this.giveUp(msg, error, deliveries);
      return;
    }
    if (deliveries > s.maxDeliveries) {
      // Its last delivery died with its replica: the handler never reported an error.
      await this.giveUp(msg, new HandlerFailedError(`Gave up after ${deliveries - 1} deliveries`, { messageId: envelope.id }), deliveries);
      return;
    }
    const keepAlive = setInterval(() => msg.working(), Math.max(MIN_WORKING_MS, s.ackWaitMs / 3));
    try {
      await this.handler(envelope, { attempt: deliveries });
      // With the other acks of this turn, in one socket write; an ack lost with the connection is a redelivery.
      this.writes.send(() => msg.ack(), this.ackFailed);
    } catch (error) {
      // This instance refused it (draining): not a failure. Past the pulls open here, so another replica takes it.
      if (error instanceof ShuttingDownError) msg.nak(REFUSED_REDELIVERY_PULLS * s.pullExpiresMs);
      else if (deliveries >= s.maxDeliveries) await this.giveUp(msg, error, deliveries);
      else msg.nak(redeliveryDelay(deliveries, s.redeliveryDelayMs));
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async giveUp(msg: JsMsg, error: unknown, deliveries: number): Promise<void> {
    try {
      await this.deadLetter(msg, error, deliveries);
      // No reason text: `+TERM <reason>` needs nats-server 2.10.4.
      msg.term();
    } catch (publishError) {
      // The dead-letter stream is unreachable: keep the event and try again later.
      this.logger.warn(`Dead-lettering failed, redelivering later: ${String(publishError)}`);
      msg.nak(DEAD_LETTER_RETRY_MS);
    }
  }

  private async ensureConsumer(): Promise<void> {
    const s = this.settings;
    const config = {
      durable_name: s.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      filter_subject: s.filterSubject,
      // Catga counts deliveries itself so the last failure can be dead-lettered with its error.
      max_deliver: -1,
      ack_wait: nanos(s.ackWaitMs),
      max_ack_pending: Math.max(1_000, s.concurrency * 4),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await this.jsm.consumers.info(s.stream, s.consumer).catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
        if (!info) await this.jsm.consumers.add(s.stream, config);
        else if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending) {
          await this.jsm.consumers.update(s.stream, s.consumer, {
            ack_wait: config.ack_wait,
            max_ack_pending: config.max_ack_pending,
          });
        }
        return;
      } catch (error) {
        if (attempt >= ENSURE_ATTEMPTS) throw error;
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 2_000 }));
      }
    }
  }
}
