import { Logger } from '@nestjs/common';
import type { Envelope } from '../envelope/envelope.js';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import type { OutboxEntry, OutboxStore } from '../stores/outbox/outbox-store.interface.js';
import type { Transport } from '../transport/transport.interface.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import { CatgaError } from '../errors/catga.error.js';
import { serializeError } from '../errors/error.serializer.js';

export interface OutboxSettings {
  /** How often the relay looks for entries left unpublished (a crash, a transport outage), in ms. Default 1000. */
  readonly relayIntervalMs: number;
  /** Entries younger than this are left to the instance that saved them, in ms. Default 5000. */
  readonly relayMinAgeMs: number;
  /** Entries per relay batch. Default 100. */
  readonly relayBatchSize: number;
  /** Lease on a claimed batch, in ms. Default 30000. */
  readonly relayLeaseMs: number;
}

export type OutboxPublisherOptions = Partial<OutboxSettings>;

/**
 * Releases the events a handling raised once it succeeded: saved to the outbox store first (the
 * handling waits for that), then published and marked published behind it. What fails to
 * publish stays in the store, and the relay (any instance, under a lease) publishes it later: at
 * least once, with the message id kept.
 */
export class OutboxPublisher {
  private readonly logger = new Logger('CatgaOutbox');
  private timer: NodeJS.Timeout | undefined;
  private readonly publishing = new Set<Promise<void>>();
  private relaying: Promise<void> | undefined;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: Transport,
    private readonly instanceId: string,
    private readonly settings: OutboxSettings,
    private readonly signals?: CatgaSignals,
  ) {}

  /**
   * Saves the events (unless `saved`: stored already, with the handling's outcome) and resolves;
   * publishing them and marking them published goes on behind, so the handling's reply does not
   * wait for the broker (a JetStream leader election, a reconnect): once saved, the relay
   * delivers what this publish does not.
   */
  async release(envelopes: readonly Envelope[], saved = false): Promise<void> {
    if (!saved) await this.store.save(toOutboxEntries(envelopes));
    const publishing = this.publishSaved(envelopes);
    this.publishing.add(publishing);
    void publishing.finally(() => this.publishing.delete(publishing));
  }

  /** Resolves once every publish `release` started so far has ended. */
  async settled(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all(this.publishing);
  }

  private async publishSaved(envelopes: readonly Envelope[]): Promise<void> {
    const published: string[] = [];
    try {
      for (const envelope of envelopes) {
        if (await this.publishOrPark(envelope)) published.push(envelope.id);
      }
    } catch (error) {
      this.logger.warn(`Publishing ${envelopes.length - published.length} event(s) failed; the relay will retry: ${String(error)}`);
    }
    try {
      if (published.length > 0) await this.store.markPublished(published);
    } catch (error) {
      // They stay pending: the relay publishes them again, under their message ids.
      this.logger.warn(`Marking ${published.length} published event(s) failed; the relay will publish them again: ${String(error)}`);
    }
  }

  /**
   * Publishes; an event the transport refuses for good (a non-retryable error: too large,
   * malformed) is parked with the reason instead, so no relay retries it forever. Returns
   * whether it was published; rethrows what a later attempt may get through.
   */
  private async publishOrPark(envelope: Envelope): Promise<boolean> {
    try {
      await this.publish(envelope);
      return true;
    } catch (error) {
      if (!(error instanceof CatgaError) || error.retryable) throw error;
      const reason = serializeError(error, envelope.id);
      await this.store.park([{ id: envelope.id, reason }]);
      this.signals?.emit('outboxParked', { type: envelope.type, messageId: envelope.id, error: reason });
      this.logger.error(
        `Event ${envelope.type} ${envelope.id} can never be published and is parked in the outbox: ${error.code} ${error.message}`,
      );
      return false;
    }
  }

  private async publish(envelope: Envelope): Promise<void> {
    if (!this.signals) return this.transport.publish(envelope);
    await this.signals.run({ name: 'publish', envelope }, () => this.transport.publish(envelope));
    this.signals.emit('published', { envelope });
  }

  /**
   * How the events of a handling are saved with its outcome in `store`'s atomic step, when the
   * outbox store can do that (`OutboxStore.savesWith`); `undefined` otherwise.
   */
  savesWith(store: IdempotencyStore): ((envelopes: readonly Envelope[]) => unknown[]) | undefined {
    const save = this.store.savesWith?.(store);
    return save && ((envelopes) => save(toOutboxEntries(envelopes)));
  }

  startRelay(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.relayOnce(), this.settings.relayIntervalMs);
    this.timer.unref();
  }

  /** Stops the relay and waits for it and for the publishes under way. */
  async stopRelay(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.relaying;
    await this.settled();
  }

  /** Publishes one batch of unpublished entries; returns how many went out. */
  async relayOnce(minAgeMs = this.settings.relayMinAgeMs): Promise<number> {
    if (this.relaying) {
      await this.relaying;
      return 0;
    }
    let count = 0;
    const run = (async () => {
      const owner = `${this.instanceId}:relay`;
      const batch = await this.store.claimPending(owner, this.settings.relayBatchSize, this.settings.relayLeaseMs, Date.now() - minAgeMs);
      const done: string[] = [];
      const settled = new Set<string>();
      try {
        for (const entry of batch) {
          if (await this.publishOrPark(entry.envelope)) done.push(entry.id);
          settled.add(entry.id);
        }
      } catch (error) {
        this.logger.warn(`Outbox relay stopped after ${settled.size} of ${batch.length}: ${String(error)}`);
        await this.store.release(
          batch.filter((e) => !settled.has(e.id)).map((e) => e.id),
          owner,
        );
      } finally {
        if (done.length > 0) await this.store.markPublished(done);
        count = done.length;
      }
    })().catch((error: unknown) => this.logger.warn(`Outbox relay failed: ${String(error)}`));
    this.relaying = run;
    try {
      await run;
    } finally {
      this.relaying = undefined;
    }
    return count;
  }
}

function toOutboxEntries(envelopes: readonly Envelope[]): OutboxEntry[] {
  const createdAt = Date.now();
  return envelopes.map((envelope) => ({ id: envelope.id, envelope, createdAt }));
}
