import {
  type Envelope,
  HandlerNotFoundError,
  type SerializedError,
  serializeError,
  TimeoutError,
  type Transport,
  TransportUnavailableError,
} from '@catga/core';
import {
  type DeadLetter,
  decodeEnvelope,
  type DecodeOptions,
  decodeReply,
  encodeEnvelope,
  encodeReply,
  type EventHandler,
  type Reply,
  type RequestHandler,
  type RequestOptions,
  type ServeOptions,
  type SubscribeOptions,
  type TransportSignals,
  type TransportSubscription,
  WireHeader,
} from '@catga/core/transport';
import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { RedisStreamsTransportOptions } from './redis-streams-transport-options.interface.js';

type Client = Redis | Cluster;
type StreamEntry = [id: string, fields: string[]];
type ReadReply = Array<[key: string, entries: StreamEntry[]]> | null;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function duplicate(c: Client): Client {
  return c instanceof Object && 'nodes' in c && typeof (c as Cluster).nodes === 'function'
    ? (c as Cluster).duplicate()
    : (c as Redis).duplicate();
}

/** An entry's `h` field: the PROTOCOL.md headers as JSON. */
function headersOf(fields: Map<string, string>): Map<string, string> {
  return new Map(Object.entries(JSON.parse(fields.get('h') ?? '{}') as Record<string, string>));
}

function decodeEntry(fields: Map<string, string>, options: DecodeOptions): Envelope {
  return decodeEnvelope(headersOf(fields), encoder.encode(fields.get('b') ?? ''), options);
}

function fieldsOf(entry: StreamEntry): Map<string, string> {
  const out = new Map<string, string>();
  const f = entry[1];
  for (let i = 0; i + 1 < f.length; i += 2) out.set(f[i]!, f[i + 1]!);
  return out;
}

/**
 * Catga over Redis Streams, for deployments with Redis and no NATS. Requests go to a stream per
 * type read by the serving group (one replica per request, pending ones claimed from a dead
 * replica after `ackWaitMs`); replies come back on a stream per caller. Events go to a stream per
 * type with a consumer group per handler group: acked after success, retried with backoff,
 * claimed from a dead reader, dead-lettered after `maxDeliveries`. Broadcast reads without a
 * group. Redis has no publish de-duplication: a repeated event relies on the handler side's
 * idempotency.
 */
export class RedisStreamsTransport implements Transport {
  readonly name = 'redis-streams';
  private readonly logger = new Logger('CatgaRedisStreams');
  private readonly prefix: string;
  private readonly blockMs: number;
  private readonly maxPayload: number;
  private readonly maxLen: number;
  private readonly readers = new Set<{ stop(): Promise<void> }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private readonly replyKey: string;
  private replyReader: Promise<void> | undefined;
  private replyConnection: Client | undefined;
  private stopped = false;
  private closed = false;
  private signals: TransportSignals | undefined;
  private sequence = 0;

  constructor(private readonly options: RedisStreamsTransportOptions) {
    this.prefix = options.keyPrefix ?? 'catga';
    this.blockMs = options.blockMs ?? 1_000;
    this.maxPayload = options.maxPayloadBytes ?? 1024 * 1024;
    this.maxLen = options.streamMaxLength ?? 100_000;
    this.replyKey = `${this.prefix}:rs:reply:{${options.instanceId}-${Math.random().toString(36).slice(2, 8)}}`;
  }

  observe(signals: TransportSignals): void {
    this.signals = signals;
    // The connection state of the client the transport reads and writes with.
    let lost = false;
    const client = this.options.client;
    client.on('close', () => {
      if (lost || this.closed) return;
      lost = true;
      signals.emit('connection', { transport: this.name, connected: false, reconnected: false });
    });
    client.on('ready', () => {
      signals.emit('connection', { transport: this.name, connected: true, reconnected: lost });
      lost = false;
    });
    if (client.status === 'ready') signals.emit('connection', { transport: this.name, connected: true, reconnected: false });
  }

  async start(): Promise<void> {}

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    const key = this.requestKey(type);
    await this.ensureGroup(key, options.group, '$');
    // One request per read: each new request wakes the next idle replica, so the load spreads.
    return this.groupReader(key, options.group, 64, 1, async (entry) => {
      const f = fieldsOf(entry);
      const replyTo = f.get('r');
      let reply: Reply;
      try {
        reply = await handler(decodeEntry(f, { maxBodyBytes: this.maxPayload, expectedType: type, defaultKind: 'command' }));
      } catch (error) {
        reply = { ok: false, error: serializeError(error, headersOf(f).get(WireHeader.messageId)) };
      }
      if (replyTo) {
        const c = this.options.client;
        await c.xadd(replyTo, 'MAXLEN', '~', '10000', '*', 't', f.get('t') ?? '', 'p', decoder.decode(encodeReply(reply)));
        await c.pexpire(replyTo, 60_000);
      }
      return true;
    });
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    this.assertOpen();
    const wire = encodeEnvelope(envelope, this.maxPayload);
    const key = this.requestKey(envelope.type);
    if (!(await this.hasGroup(key))) throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
    this.replyReader ??= this.readReplies();
    const token = `${envelope.id}#${++this.sequence}`;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new TimeoutError(`No reply for ${envelope.type} within ${options.timeoutMs} ms`, { messageId: envelope.id }));
      }, options.timeoutMs);
      this.pending.set(token, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.options.client
        .xadd(
          key,
          'MAXLEN',
          '~',
          String(this.maxLen),
          '*',
          'h',
          JSON.stringify(wire.headers),
          'b',
          decoder.decode(wire.body),
          'r',
          this.replyKey,
          't',
          token,
        )
        .catch((error: unknown) => {
          clearTimeout(timer);
          this.pending.delete(token);
          reject(new TransportUnavailableError(`Redis did not take the request: ${String(error)}`, { messageId: envelope.id }));
        });
    });
  }

  async publish(envelope: Envelope): Promise<void> {
    this.assertOpen();
    const wire = encodeEnvelope(envelope, this.maxPayload);
    try {
      await this.options.client.xadd(
        this.eventKey(envelope.type),
        'MAXLEN',
        '~',
        String(this.maxLen),
        '*',
        'h',
        JSON.stringify(wire.headers),
        'b',
        decoder.decode(wire.body),
      );
    } catch (error) {
      throw new TransportUnavailableError(`Redis did not take the event: ${String(error)}`, { messageId: envelope.id });
    }
  }

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    const key = this.eventKey(type);
    const decode = (entry: StreamEntry) =>
      decodeEntry(fieldsOf(entry), { maxBodyBytes: this.maxPayload, expectedType: type, defaultKind: 'event' });
    if (options.mode === 'broadcast') {
      return this.plainReader(key, async (entry) => {
        try {
          await handler(decode(entry), { attempt: 1 });
        } catch (error) {
          this.logger.warn(`Broadcast ${type} failed: ${String(error)}`);
        }
      });
    }
    await this.ensureGroup(key, options.group, '$');
    const maxDeliveries = options.maxDeliveries ?? this.options.maxDeliveries ?? 5;
    const attempts = new Map<string, number>();
    const concurrency = this.options.concurrency ?? 64;
    return this.groupReader(key, options.group, concurrency, Math.max(1, Math.floor(concurrency / 8)), async (entry, deliveries) => {
      const attempt = Math.max(deliveries, attempts.get(entry[0]) ?? 0, 1);
      let envelope: Envelope;
      try {
        envelope = decode(entry);
      } catch (error) {
        await this.deadLetter(type, options.group, entry, error, attempt);
        return true;
      }
      try {
        await handler(envelope, { attempt });
        attempts.delete(entry[0]);
        return true;
      } catch (error) {
        if (attempt >= maxDeliveries) {
          attempts.delete(entry[0]);
          await this.deadLetter(type, options.group, entry, error, attempt);
          return true;
        }
        attempts.set(entry[0], attempt + 1);
        return Math.min(30_000, (this.options.redeliveryDelayMs ?? 200) * 2 ** (attempt - 1));
      }
    });
  }

  async subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    return this.plainReader(this.deadLetterKey(), async (entry) => {
      const f = fieldsOf(entry);
      try {
        const envelope = decodeEntry(f, { maxBodyBytes: Number.MAX_SAFE_INTEGER, defaultKind: 'event' });
        await handler({
          envelope,
          group: f.get('group') ?? '',
          deliveries: Number(f.get('deliveries') ?? 0),
          error: JSON.parse(f.get('error') ?? '{}') as SerializedError,
          deadLetteredAt: Number(f.get('at') ?? Date.now()),
        });
      } catch (error) {
        this.logger.warn(`Dead-letter handler failed: ${String(error)}`);
      }
    });
  }

  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.readers].map((r) => r.stop()));
    this.readers.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    this.replyConnection?.disconnect();
    await this.replyReader;
  }

  /**
   * A consumer-group reader. `handle` resolves `true` to ack, or a delay in ms after which this
   * reader claims the entry again. Entries a dead reader left pending for `ackWaitMs` are claimed.
   */
  private groupReader(
    key: string,
    group: string,
    concurrency: number,
    batch: number,
    handle: (entry: StreamEntry, deliveries: number) => Promise<true | number>,
  ): TransportSubscription {
    const consumer = `${this.options.instanceId}-${Math.random().toString(36).slice(2, 8)}`;
    const connection = duplicate(this.options.client);
    const c = this.options.client;
    let running = true;
    let active = 0;
    const timers = new Set<NodeJS.Timeout>();
    const process = (entry: StreamEntry, deliveries: number) => {
      active++;
      const work = handle(entry, deliveries)
        .then(async (outcome) => {
          if (outcome === true) await c.xack(key, group, entry[0]);
          else {
            const timer = setTimeout(() => {
              timers.delete(timer);
              if (!running) return;
              // Claim it again (bumps its delivery count), then handle it here.
              c.call('XCLAIM', key, group, consumer, '0', entry[0])
                .then((claimed) => {
                  const again = (claimed as StreamEntry[])[0];
                  if (again && running) process(again, 0);
                })
                .catch((error: unknown) => this.logger.warn(`Reclaim on ${key} failed: ${String(error)}`));
            }, outcome);
            timers.add(timer);
          }
        })
        .catch((error: unknown) => this.logger.warn(`Handling on ${key} failed: ${String(error)}`))
        .finally(() => active--);
      this.track(work);
    };
    const ackWait = this.options.ackWaitMs ?? 30_000;
    const loop = (async () => {
      let lastSweep = 0;
      while (running && !this.stopped) {
        try {
          if (Date.now() - lastSweep >= Math.min(ackWait, 5_000)) {
            lastSweep = Date.now();
            const stale = (await c.call('XPENDING', key, group, 'IDLE', String(ackWait), '-', '+', '64')) as Array<
              [string, string, number, number]
            >;
            for (const [id, , , count] of stale) {
              const claimed = (await c.call('XCLAIM', key, group, consumer, String(ackWait), id)) as StreamEntry[];
              if (claimed[0]) process(claimed[0], count + 1);
            }
          }
          if (active >= concurrency) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          const read = (await connection.xreadgroup(
            'GROUP',
            group,
            consumer,
            'COUNT',
            Math.min(batch, concurrency - active),
            'BLOCK',
            this.blockMs,
            'STREAMS',
            key,
            '>',
          )) as ReadReply;
          for (const [, entries] of read ?? []) for (const entry of entries) process(entry, 1);
        } catch (error) {
          if (!running || this.stopped) break;
          this.logger.warn(`Reading ${key} failed: ${String(error)}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
    const reader = {
      stop: async () => {
        running = false;
        for (const t of timers) clearTimeout(t);
        await loop;
        connection.disconnect();
      },
    };
    this.readers.add(reader);
    return {
      unsubscribe: async () => {
        this.readers.delete(reader);
        await reader.stop();
      },
    };
  }

  /** A reader of every new entry, without a group (broadcast, dead letters). */
  private async plainReader(key: string, handle: (entry: StreamEntry) => Promise<void>): Promise<TransportSubscription> {
    const connection = duplicate(this.options.client);
    let lastId = await this.lastId(key);
    let running = true;
    const loop = (async () => {
      while (running && !this.stopped) {
        try {
          const read = (await connection.xread('BLOCK', this.blockMs, 'STREAMS', key, lastId)) as ReadReply;
          for (const [, entries] of read ?? []) {
            for (const entry of entries) {
              lastId = entry[0];
              this.track(handle(entry));
            }
          }
        } catch (error) {
          if (!running || this.stopped) break;
          this.logger.warn(`Reading ${key} failed: ${String(error)}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
    const reader = {
      stop: async () => {
        running = false;
        await loop;
        connection.disconnect();
      },
    };
    this.readers.add(reader);
    return {
      unsubscribe: async () => {
        this.readers.delete(reader);
        await reader.stop();
      },
    };
  }

  private async readReplies(): Promise<void> {
    const connection = (this.replyConnection = duplicate(this.options.client));
    let lastId = '0';
    while (!this.closed) {
      try {
        const read = (await connection.xread('BLOCK', this.blockMs, 'STREAMS', this.replyKey, lastId)) as ReadReply;
        for (const [, entries] of read ?? []) {
          for (const entry of entries) {
            lastId = entry[0];
            const f = fieldsOf(entry);
            const resolve = this.pending.get(f.get('t') ?? '');
            if (!resolve) continue;
            this.pending.delete(f.get('t')!);
            try {
              resolve(decodeReply(encoder.encode(f.get('p') ?? '')));
            } catch (error) {
              resolve({ ok: false, error: serializeError(error) });
            }
          }
        }
      } catch (error) {
        if (this.closed) break;
        this.logger.warn(`Reading replies failed: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async deadLetter(type: string, group: string, entry: StreamEntry, error: unknown, deliveries: number): Promise<void> {
    const f = fieldsOf(entry);
    const messageId = headersOf(f).get(WireHeader.messageId);
    const serialized = serializeError(error, messageId);
    await this.options.client.xadd(
      this.deadLetterKey(),
      'MAXLEN',
      '~',
      String(this.maxLen),
      '*',
      'h',
      f.get('h') ?? '{}',
      'b',
      f.get('b') ?? '',
      'type',
      type,
      'group',
      group,
      'deliveries',
      String(deliveries),
      'error',
      JSON.stringify(serialized),
      'at',
      String(Date.now()),
    );
    this.signals?.emit('deadLettered', { type, group, messageId, deliveries, error: serialized });
    this.logger.warn(`Dead-lettered ${type} for ${group} after ${deliveries} deliveries: ${String((error as Error)?.message ?? error)}`);
  }

  private async ensureGroup(key: string, group: string, from: string): Promise<void> {
    try {
      await this.options.client.xgroup('CREATE', key, group, from, 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  private async hasGroup(key: string): Promise<boolean> {
    try {
      const groups = (await this.options.client.xinfo('GROUPS', key)) as unknown[];
      return groups.length > 0;
    } catch {
      return false;
    }
  }

  private async lastId(key: string): Promise<string> {
    try {
      const info = (await this.options.client.xinfo('STREAM', key)) as unknown[];
      const i = info.indexOf('last-generated-id');
      return i >= 0 ? String(info[i + 1]) : '0';
    } catch {
      return '0';
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportUnavailableError('The Redis Streams transport is closed');
  }

  private requestKey(type: string): string {
    return `${this.prefix}:rs:req:{${type}}`;
  }

  private eventKey(type: string): string {
    return `${this.prefix}:rs:evt:{${type}}`;
  }

  private deadLetterKey(): string {
    return `${this.prefix}:rs:dlq`;
  }
}
