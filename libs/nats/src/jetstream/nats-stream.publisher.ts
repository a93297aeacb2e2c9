import { PayloadTooLargeError, TransportUnavailableError } from '@catga/core';
import { RetryableAttempt, retryUntilDeadline } from '@catga/core/transport';

import { TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';
import type { ReplyInbox } from '../request/reply-inbox.js';
import { classifyNatsError } from '../wire/nats-errors.js';
import { toNatsHeaders } from '../wire/nats-headers.js';

/** Bounds of one publish attempt's wait for the stream's ack, in ms. */
const ATTEMPT_TIMEOUT = { minMs: 100, maxMs: 5_000 };

/** JetStream's API error code for a header block over its 64 KiB limit. */
const HEADER_TOO_LARGE = 10097;

/** The header JetStream de-duplicates by. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

const decoder = new TextDecoder();

/** What a stream answers a publish with: an ack, or an API error. */
interface PubAckReply {
  stream?: string;
  seq?: number;
  error?: { code?: number; err_code?: number; description?: string };
}

/**
 * Publishes to a JetStream stream and waits for its ack, retrying until `publishTimeoutMs` with
 * the same `Nats-Msg-Id`, so the server drops whatever copy an earlier attempt already stored.
 * A publish is a request to the stream's subject answered with a PubAck; it goes through the
 * connection's reply inbox, as Catga's requests do, rather than nats.js's `js.publish`, which
 * builds an error with a stack trace for every publish.
 */
export class NatsStreamPublisher {
  constructor(
    private readonly inbox: ReplyInbox,
    private readonly publishTimeoutMs: number,
  ) {}

  async publish(subject: string, body: Uint8Array, headers: Record<string, string>, msgId: string): Promise<void> {
    const deadline = Date.now() + this.publishTimeoutMs;
    const natsHeaders = toNatsHeaders({ ...headers, [MSG_ID_HEADER]: msgId });
    const attempt = async (): Promise<void> => {
      let reply: PubAckReply;
      try {
        const waitMs = Math.max(ATTEMPT_TIMEOUT.minMs, Math.min(ATTEMPT_TIMEOUT.maxMs, deadline - Date.now()));
        const msg = await this.inbox.request(subject, body, natsHeaders, { waitMs, timeout: () => new NatsTimeoutError() });
        reply = JSON.parse(decoder.decode(msg.data)) as PubAckReply;
      } catch (error) {
        const kind = classifyNatsError(error);
        if (kind === 'closed') throw new TransportUnavailableError(`NATS connection closed: ${String(error)}`);
        if (kind === 'too-large')
          throw new PayloadTooLargeError(`JetStream cannot take ${subject}: ${(error as Error).message}`, { messageId: msgId });
        // No stream leader right now, a timeout, a reconnect: same msgID, so the server de-duplicates.
        throw new RetryableAttempt(String(error));
      }
      if (reply.error) {
        const what = `${reply.error.description ?? 'error'} (${reply.error.err_code ?? reply.error.code ?? '?'})`;
        if (reply.error.err_code === HEADER_TOO_LARGE)
          throw new PayloadTooLargeError(`JetStream cannot take ${subject}: ${what}`, { messageId: msgId });
        throw new RetryableAttempt(`JetStream refused ${subject}: ${what}`);
      }
      if (typeof reply.seq !== 'number') throw new RetryableAttempt(`JetStream answered ${subject} with no sequence`);
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
