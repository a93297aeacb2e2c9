import { type Envelope, HandlerNotFoundError, PermissionDeniedError, TimeoutError, TransportUnavailableError } from '@catga/core';
import { decodeReply, encodeEnvelope, type Reply, type RequestOptions, RetryableAttempt, retryUntilDeadline } from '@catga/core/transport';

import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsSettings } from '../nats-settings.js';
import type { Subjects } from '../subjects.js';
import { classifyNatsError } from '../wire/nats-errors.js';
import { toNatsHeaders } from '../wire/nats-headers.js';

type LastFailure = 'no-responders' | 'timeout' | 'other';

/**
 * Sends a request to one replica of its type, retrying with the same message id until the
 * caller's deadline: timeouts, dropped connections and `SHUTTING_DOWN` replies always, "no
 * responders" for `noRespondersTimeoutMs` (a restart in progress), then `HANDLER_NOT_FOUND`. A
 * subject the connection's permissions refuse is `PERMISSION_DENIED` at once.
 */
export class NatsRequestClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly settings: Pick<NatsSettings, 'maxPayloadBytes' | 'attemptTimeoutMs' | 'noRespondersTimeoutMs'>,
  ) {}

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    const wire = encodeEnvelope(envelope, this.settings.maxPayloadBytes);
    const headers = toNatsHeaders(wire.headers);
    const subject = this.subjects.request(envelope.type);
    const deadline = Date.now() + options.timeoutMs;
    const { attemptTimeoutMs, noRespondersTimeoutMs } = this.settings;
    let noRespondersSince: number | undefined;
    // An object, so the checks after the retries see what the attempts wrote.
    const state: { lastFailure: LastFailure } = { lastFailure: 'timeout' };

    const attempt = async (): Promise<Reply> => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new RetryableAttempt('deadline');
      try {
        const msg = await this.nc.request(subject, wire.body, { timeout: Math.min(attemptTimeoutMs, remaining), headers });
        const reply = decodeReply(msg.data);
        // A replica that is draining answers SHUTTING_DOWN: another one will take the same id.
        if (!reply.ok && reply.error.code === 'SHUTTING_DOWN') throw new RetryableAttempt('replica shutting down');
        return reply;
      } catch (error) {
        if (error instanceof RetryableAttempt) {
          noRespondersSince = undefined;
          state.lastFailure = 'other';
          throw error;
        }
        const kind = classifyNatsError(error);
        if (kind === 'closed') throw new TransportUnavailableError(`NATS connection closed: ${String(error)}`, { messageId: envelope.id });
        if (kind === 'forbidden') {
          throw new PermissionDeniedError(`NATS does not allow this connection to send ${envelope.type} (${subject}): ${String(error)}`, {
            messageId: envelope.id,
          });
        }
        if (kind === 'no-responders') {
          noRespondersSince ??= Date.now();
          state.lastFailure = 'no-responders';
          if (Date.now() - noRespondersSince >= noRespondersTimeoutMs) {
            throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
          }
        } else {
          // A timeout or a dropped connection: retry with the same id; idempotency replays the outcome.
          noRespondersSince = undefined;
          state.lastFailure = kind === 'timeout' ? 'timeout' : 'other';
        }
        throw new RetryableAttempt(String(error));
      }
    };
    try {
      return await retryUntilDeadline(attempt, deadline, { initialMs: 20, maxMs: 500 });
    } catch (error) {
      if (!(error instanceof RetryableAttempt)) throw error;
      if (state.lastFailure === 'no-responders') throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
      throw new TimeoutError(`No reply for ${envelope.type} within ${options.timeoutMs} ms`, { messageId: envelope.id });
    }
  }
}
