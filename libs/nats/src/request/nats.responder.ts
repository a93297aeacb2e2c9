import { serializeError } from '@catga/core';
import {
  decodeEnvelope,
  encodeReplyWithin,
  type InFlight,
  isValidMessageId,
  JSON_CONTENT_TYPE,
  type Reply,
  type RequestHandler,
  type ServeOptions,
  type TransportSubscription,
  WireHeader,
} from '@catga/core/transport';

import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import type { Subjects } from '../subjects.js';
import type { SubscriptionRegistry } from '../subscription.registry.js';
import { fromNatsHeaders, toNatsHeaders } from '../wire/nats-headers.js';
import { ProgressTicker, requestedProgressMs } from './progress.ticker.js';

/** Every reply's headers: the same block each time, built once (nats.js only reads it to send). */
const REPLY_HEADERS = toNatsHeaders({ [WireHeader.contentType]: JSON_CONTENT_TYPE });

/**
 * Serves one request type in a queue group and answers every request, a failure as a typed error
 * reply; a caller that asked for progress hears every interval that its request is still in hand.
 */
export class NatsResponder {
  private readonly progress: ProgressTicker;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly maxPayloadBytes: number,
    private readonly inFlight: InFlight,
    private readonly subscriptions: SubscriptionRegistry,
    private readonly logger: Logger,
  ) {
    this.progress = new ProgressTicker(nc);
  }

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    const sub = this.nc.subscribe(this.subjects.request(type), {
      queue: options.group,
      callback: (error, msg) => {
        if (error) return this.logger.warn(`Request subscription for ${type} failed: ${String(error)}`);
        this.inFlight.track(this.answer(msg, type, handler));
      },
    });
    // The server knows the subscription once flush returns, so a request sent next finds it.
    await this.nc.flush();
    return this.subscriptions.own(sub);
  }

  private async answer(msg: Msg, type: string, handler: RequestHandler): Promise<void> {
    if (!msg.reply) return;
    let messageId: string | undefined;
    let reply: Reply;
    let stopProgress: (() => void) | undefined;
    try {
      const headers = fromNatsHeaders(msg);
      const progressMs = requestedProgressMs(headers.get(WireHeader.progressMs));
      if (progressMs !== undefined) stopProgress = this.progress.track(msg.reply, progressMs, headers.has(WireHeader.progressAck));
      // An id that is not one (40 KB, control characters) is not echoed into the error reply.
      const id = headers.get(WireHeader.messageId);
      messageId = id !== undefined && isValidMessageId(id) ? id : undefined;
      const envelope = decodeEnvelope(headers, msg.data, {
        maxBodyBytes: this.maxPayloadBytes,
        expectedType: type,
        defaultKind: 'command',
      });
      reply = await handler(envelope);
    } catch (error) {
      reply = { ok: false, error: serializeError(error, messageId) };
    }
    stopProgress?.();
    try {
      msg.respond(encodeReplyWithin(reply, this.maxPayloadBytes, messageId), { headers: REPLY_HEADERS });
    } catch (error) {
      this.logger.warn(`Could not reply to ${type}: ${String(error)}`);
    }
  }
}
