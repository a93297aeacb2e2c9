import { type Envelope, serializeError, TimeoutError } from '@catga/core';
import { decodeReply, type Reply, sleep, withTimeout } from '@catga/core/transport';

import { READ_RETRY_PAUSE_MS, type ReaderContext } from './redis-stream.reader.js';
import { duplicate, type RedisClient } from './redis-streams.connection.js';
import { fieldsOf, type ReadReply } from './redis-stream.entry.js';

/** Replies kept per reply stream (approximate trim). */
const REPLY_STREAM_MAX_LENGTH = '10000';
/** A reply stream expires this long after its last reply, so a caller gone for good leaves nothing behind. */
const REPLY_STREAM_TTL_MS = 60_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes a handler's encoded reply to the caller's reply stream, under the caller's token. */
export async function sendReply(client: RedisClient, replyTo: string, token: string, reply: Uint8Array): Promise<void> {
  await client.xadd(replyTo, 'MAXLEN', '~', REPLY_STREAM_MAX_LENGTH, '*', 't', token, 'p', decoder.decode(reply));
  await client.pexpire(replyTo, REPLY_STREAM_TTL_MS);
}

/**
 * A caller's reply stream, read by one blocking connection opened at the first request: each
 * request waits, under a token of its own, for the entry its handler writes back.
 */
export class RedisReplyChannel {
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private sequence = 0;
  private reader: Promise<void> | undefined;
  private connection: RedisClient | undefined;
  private closed = false;

  constructor(
    private readonly context: ReaderContext,
    /** The stream this caller's replies come back on. */
    readonly key: string,
  ) {}

  /** Sends the request with `send(token)` and resolves with its reply, or a TimeoutError after `timeoutMs`. */
  async request(envelope: Envelope, timeoutMs: number, send: (token: string) => Promise<unknown>): Promise<Reply> {
    this.reader ??= this.read();
    const token = `${envelope.id}#${++this.sequence}`;
    const answered = new Promise<Reply>((resolve, reject) => {
      this.pending.set(token, resolve);
      send(token).catch(reject);
    });
    try {
      return await withTimeout(
        answered,
        timeoutMs,
        () => new TimeoutError(`No reply for ${envelope.type} within ${timeoutMs} ms`, { messageId: envelope.id }),
      );
    } finally {
      this.pending.delete(token);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.disconnect();
    await this.reader;
  }

  private async read(): Promise<void> {
    const connection = (this.connection = duplicate(this.context.client));
    let lastId = '0';
    while (!this.closed) {
      try {
        const read = (await connection.xread('BLOCK', this.context.blockMs, 'STREAMS', this.key, lastId)) as ReadReply;
        for (const [, entries] of read ?? []) {
          for (const entry of entries) {
            lastId = entry[0];
            this.deliver(fieldsOf(entry));
          }
        }
      } catch (error) {
        if (this.closed) break;
        this.context.logger.warn(`Reading replies failed: ${String(error)}`);
        await sleep(READ_RETRY_PAUSE_MS);
      }
    }
  }

  /** Hands a reply to the request waiting for its token; a reply nobody waits for (it timed out) is dropped. */
  private deliver(fields: ReadonlyMap<string, string>): void {
    const token = fields.get('t') ?? '';
    const resolve = this.pending.get(token);
    if (!resolve) return;
    this.pending.delete(token);
    try {
      resolve(decodeReply(encoder.encode(fields.get('p') ?? '')));
    } catch (error) {
      resolve({ ok: false, error: serializeError(error) });
    }
  }
}
