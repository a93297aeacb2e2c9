import { serializeError } from '@catga/core';
import { encodeReplyWithin, isValidMessageId, type Reply, type RequestHandler } from '@catga/core/transport';

import type { GroupHandler } from './redis-group.reader.js';
import { sendReply } from './redis-reply.channel.js';
import { decodeEntry, fieldsOf, messageIdOf } from './redis-stream.entry.js';
import type { RedisClient } from './redis-streams.connection.js';

export interface RequestAnswerOptions {
  readonly type: string;
  readonly handler: RequestHandler;
  readonly client: RedisClient;
  readonly maxPayloadBytes: number;
}

/** How a serving group's reader handles one request: the handler's reply (or its error) goes to the caller's stream, then the entry is acked. */
export function answerRequests(options: RequestAnswerOptions): GroupHandler {
  const { type, handler, client, maxPayloadBytes } = options;
  return async (entry) => {
    const fields = fieldsOf(entry);
    // An id that is not one (40 KB, control characters) is not echoed into the error reply.
    const rawId = messageIdOf(fields);
    const messageId = rawId !== undefined && isValidMessageId(rawId) ? rawId : undefined;
    let reply: Reply;
    try {
      reply = await handler(decodeEntry(fields, { maxBodyBytes: maxPayloadBytes, expectedType: type, defaultKind: 'command' }));
    } catch (error) {
      reply = { ok: false, error: serializeError(error, messageId) };
    }
    const replyTo = fields.get('r');
    // A reply over the limit becomes a typed PAYLOAD_TOO_LARGE error, as on every transport.
    if (replyTo) await sendReply(client, replyTo, fields.get('t') ?? '', encodeReplyWithin(reply, maxPayloadBytes, messageId));
    return true;
  };
}
