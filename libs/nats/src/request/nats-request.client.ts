import { type Envelope, HandlerNotFoundError, PermissionDeniedError, TimeoutError, TransportUnavailableError } from '@catga/core';
import {
  decodeReply,
  encodeEnvelope,
  type Reply,
  type RequestOptions,
  RetryableAttempt,
  retryUntilDeadline,
  WireHeader,
} from '@catga/core/transport';

import { type Msg, type MsgHdrs, TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';
import type { NatsSettings } from '../nats-settings.js';
import type { Subjects } from '../subjects.js';
import { classifyNatsError } from '../wire/nats-errors.js';
import { toNatsHeaders } from '../wire/nats-headers.js';
import type { ReplyInbox } from './reply-inbox.js';

type LastFailure = 'no-responders' | 'timeout' | 'other';

/** Intervals without a word from the replica before the caller takes it for dead or frozen. */
export const SILENT_INTERVALS = 3;

/** Intervals a retry after a silence waits for the replica to acknowledge that it arrived. */
export const ACK_INTERVALS = 1;

/**
 * The replica holding the request went silent: no progress and no reply for `SILENT_INTERVALS`
 * intervals, or no acknowledgement of a retry within `ACK_INTERVALS`.
 */
class SilentReplica extends Error {}

/**
 * Sends a request to one replica of its type, retrying with the same message id until the
 * caller's deadline: timeouts, dropped connections and `SHUTTING_DOWN` replies always, "no
 * responders" for `noRespondersTimeoutMs` (default 0), then `HANDLER_NOT_FOUND`, which the core's
 * dispatcher waits through when the cluster saw a service serving the type (a restart). A
 * subject the connection's permissions refuse is `PERMISSION_DENIED` at once. With
 * `progressIntervalMs`, the serving replica says every interval that it still holds the request,
 * and an attempt ends when it has been silent for `SILENT_INTERVALS` intervals (it died, froze or
 * was cut off) rather than after `attemptTimeoutMs`: the retry reaches another replica, which
 * takes the dead one's claim over.
 */
export class NatsRequestClient {
  constructor(
    private readonly subjects: Subjects,
    private readonly settings: Pick<NatsSettings, 'maxPayloadBytes' | 'attemptTimeoutMs' | 'noRespondersTimeoutMs' | 'progressIntervalMs'>,
    private readonly inbox: ReplyInbox,
  ) {}

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    const wire = encodeEnvelope(envelope, this.settings.maxPayloadBytes);
    const { progressIntervalMs } = this.settings;
    const progressHeaders =
      progressIntervalMs > 0 ? { ...wire.headers, [WireHeader.progressMs]: String(progressIntervalMs) } : wire.headers;
    const headers = toNatsHeaders(progressHeaders);
    // After a silent replica, a retry asks to hear at once that it arrived: the queue group may
    // pick the silent replica again, and that then shows within one interval, not three.
    let ackHeaders: MsgHdrs | undefined;
    let afterSilence = false;
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
        let msg: Msg;
        if (progressIntervalMs <= 0) {
          msg = await this.inbox.request(subject, wire.body, headers, {
            waitMs: Math.min(attemptTimeoutMs, remaining),
            timeout: () => new NatsTimeoutError(),
          });
        } else if (afterSilence) {
          // One interval for the first word: a replica acknowledges on arrival. One that does not
          // know the header (an older version) may miss it and be asked again; a repeat finds
          // the claim and waits for, or replays, the outcome, so that costs a message, not a run.
          ackHeaders ??= toNatsHeaders({ ...progressHeaders, [WireHeader.progressAck]: '1' });
          msg = await this.awaitReply(subject, wire.body, ackHeaders, deadline, progressIntervalMs * ACK_INTERVALS);
        } else {
          msg = await this.awaitReply(subject, wire.body, headers, deadline);
        }
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
        if (error instanceof SilentReplica) {
          noRespondersSince = undefined;
          state.lastFailure = 'timeout';
          afterSilence = true;
          throw new RetryableAttempt(error.message);
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

  /**
   * One attempt that listens for progress: ends with the reply, or with `SilentReplica` once the
   * replica has said nothing for `SILENT_INTERVALS` intervals (the first word within `firstWordMs`
   * when the request asked for an acknowledgement), or at the deadline.
   */
  private awaitReply(subject: string, body: Uint8Array, headers: MsgHdrs, deadline: number, firstWordMs?: number): Promise<Msg> {
    const silentMs = this.settings.progressIntervalMs * SILENT_INTERVALS;
    let heard = false;
    return this.inbox.request(subject, body, headers, {
      waitMs: Math.min(firstWordMs ?? silentMs, deadline - Date.now()),
      // Each word gives the replica another `silentMs`, up to the deadline.
      progress: (msg) => {
        if (!msg.headers?.has(WireHeader.progress)) return undefined;
        heard = true;
        return Math.min(silentMs, deadline - Date.now());
      },
      timeout: () =>
        new SilentReplica(
          firstWordMs !== undefined && !heard
            ? `The retry was not acknowledged within ${firstWordMs} ms`
            : `No word from the replica for ${silentMs} ms`,
        ),
    });
  }
}
