import { PayloadTooLargeError, TransportUnavailableError } from '@catga/core';
import { RetryableAttempt, retryUntilDeadline } from '@catga/core/transport';

import type { JetStreamClient } from '@nats-io/jetstream';
import { classifyNatsError } from '../wire/nats-errors.js';
import { toNatsHeaders } from '../wire/nats-headers.js';

/** Bounds of one publish attempt's wait for the stream's ack, in ms. */
const ATTEMPT_TIMEOUT = { minMs: 100, maxMs: 5_000 };

/**
 * Publishes to a JetStream stream and waits for its ack, retrying until `publishTimeoutMs` with
 * the same `Nats-Msg-Id`, so the server drops whatever copy an earlier attempt already stored.
 */
export class NatsStreamPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly publishTimeoutMs: number,
  ) {}

  async publish(subject: string, body: Uint8Array, headers: Record<string, string>, msgId: string): Promise<void> {
    const deadline = Date.now() + this.publishTimeoutMs;
    const attempt = async (): Promise<void> => {
      try {
        await this.js.publish(subject, body, {
          msgID: msgId,
          headers: toNatsHeaders(headers),
          timeout: Math.max(ATTEMPT_TIMEOUT.minMs, Math.min(ATTEMPT_TIMEOUT.maxMs, deadline - Date.now())),
        });
      } catch (error) {
        const kind = classifyNatsError(error);
        if (kind === 'closed') throw new TransportUnavailableError(`NATS connection closed: ${String(error)}`);
        if (kind === 'too-large')
          throw new PayloadTooLargeError(`JetStream cannot take ${subject}: ${(error as Error).message}`, { messageId: msgId });
        // No stream leader right now, a timeout, a reconnect: same msgID, so the server de-duplicates.
        throw new RetryableAttempt(String(error));
      }
    };
    try {
      await retryUntilDeadline(attempt, deadline, { initialMs: 50, maxMs: 1_000 });
    } catch (error) {
      if (error instanceof RetryableAttempt) {
        throw new TransportUnavailableError(`JetStream did not accept ${subject}: ${error.message}`, { messageId: msgId });
      }
      throw error;
    }
  }
}
