import { TransportUnavailableError } from '@catga/core';
import { parseOwnerAddress, withTimeout, type Liveness, type LivenessChannel } from '@catga/core/transport';

import { duplicate, isCluster, type RedisClient } from './redis-streams.connection.js';
import type { RedisStreamsKeys } from './redis-streams.keys.js';

/** Longest probe an instance reads; a real one is under 300 characters. */
const MAX_PROBE_LENGTH = 1024;
const MAX_TOKEN_LENGTH = 32;
/** How long closing waits for Redis to confirm the unsubscription before dropping the connection anyway. */
const UNSUBSCRIBE_TIMEOUT_MS = 1_000;

/** A probe as it arrives: where to answer, and the token to answer with. */
export interface LivenessProbe {
  readonly replyTo: string;
  readonly token: string;
}

interface PendingCheck {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

class NoAnswer extends Error {}

/**
 * Liveness over Redis pub/sub: each instance subscribes to its own `<prefix>:rs:live:{<address>}`
 * and answers every probe there by publishing the probe's token on the checker's answer channel.
 * PUBLISH replies with how many subscribers got the message, and Redis drops a SIGKILLed process's
 * subscription as soon as the kernel closes its socket, so a check of a dead instance is `gone` at
 * once; a frozen or cut-off one is still subscribed and does not answer (`silent`). On Redis
 * Cluster that count covers only the clients of the node that ran PUBLISH, so there no receivers
 * is not proof and a dead instance is `silent` after the timeout instead. One subscriber connection
 * per transport, opened at the first `answer` or `check`; nothing is sent until someone asks.
 */
export class RedisLivenessChannel implements LivenessChannel {
  private subscriber: RedisClient | undefined;
  private answering: string | undefined;
  /** This checker's answer channel, subscribed at its first check. */
  private readonly replyTo: string;
  private listening: Promise<void> | undefined;
  private readonly pending = new Map<string, PendingCheck>();
  private readonly warned = new Set<string>();
  private readonly countsReceivers: boolean;
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisStreamsKeys,
    instanceId: string,
    private readonly logger: { warn(message: string): void },
  ) {
    this.replyTo = keys.livenessReply(instanceId);
    this.countsReceivers = !isCluster(client);
  }

  async answer(address: string): Promise<void> {
    this.assertOpen();
    const channel = this.channelOf(address);
    const subscriber = this.connection();
    if (this.answering !== undefined && this.answering !== channel) await subscriber.unsubscribe(this.answering);
    this.answering = channel;
    await subscriber.subscribe(channel);
  }

  async check(address: string, timeoutMs: number): Promise<Liveness> {
    this.assertOpen();
    const channel = this.channelOf(address);
    const deadline = performance.now() + timeoutMs;
    const cannotAsk = (what: string) => () => new TransportUnavailableError(`Cannot check ${address}: ${what} within ${timeoutMs} ms`);
    await withTimeout(this.listen(), timeoutMs, cannotAsk('no answer channel'));
    this.assertOpen();
    const token = (++this.sequence).toString(36);
    const answered = new Promise<void>((resolve, reject) => this.pending.set(token, { resolve, reject }));
    // Not awaited when nobody received the probe; a rejection at close must not go unhandled then.
    answered.catch(() => undefined);
    try {
      const probe = JSON.stringify({ r: this.replyTo, t: token });
      // Redis down or slow: this instance cannot ask, which is not the same as the other being down.
      const receivers = await withTimeout(this.client.publish(channel, probe), remaining(deadline), cannotAsk('no PUBLISH reply'));
      if (receivers === 0 && this.countsReceivers) return 'gone';
      await withTimeout(answered, remaining(deadline), () => new NoAnswer());
      return 'alive';
    } catch (error) {
      if (error instanceof NoAnswer) return 'silent';
      throw error;
    } finally {
      this.pending.delete(token);
    }
  }

  /** Stops answering and drops the subscriber connection; checks still waiting reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failPending('the transport closed');
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    // Confirmed by Redis before the socket goes, so a check right after close() already finds nobody.
    if (subscriber.status === 'ready')
      await withTimeout(subscriber.unsubscribe(), UNSUBSCRIBE_TIMEOUT_MS, () => new Error('no UNSUBSCRIBE reply')).catch(() => undefined);
    subscriber.disconnect();
  }

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    const subscriber = (this.subscriber = duplicate(this.client));
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    // Answers on their way are lost with the connection; ioredis subscribes again when it reconnects.
    subscriber.on('close', () => this.failPending('the liveness connection to Redis closed'));
    return subscriber;
  }

  /** Subscribes to this checker's answer channel once; later checks need the connection up. */
  private listen(): Promise<void> {
    const subscriber = this.connection();
    if (!this.listening) {
      this.listening = subscriber.subscribe(this.replyTo).then(
        () => undefined,
        (error: unknown) => {
          this.listening = undefined;
          throw new TransportUnavailableError(`Cannot subscribe to liveness answers: ${String(error)}`);
        },
      );
      return this.listening;
    }
    if (subscriber.status !== 'ready')
      return Promise.reject(new TransportUnavailableError('The liveness connection to Redis is not ready'));
    return this.listening;
  }

  private onMessage(channel: string, message: string): void {
    try {
      if (this.closed) return;
      if (channel === this.replyTo) this.pending.get(message)?.resolve();
      else if (channel === this.answering) this.answerProbe(message);
    } catch (error) {
      this.warnOnce('message', `A liveness message on ${channel} failed: ${String(error)}`);
    }
  }

  private answerProbe(message: string): void {
    const probe = parseLivenessProbe(message, this.keys.livenessReplyPrefix());
    if (!probe) return this.warnOnce('probe', `A malformed liveness probe on ${this.answering} was ignored`);
    this.client.publish(probe.replyTo, probe.token).catch((error: unknown) => {
      this.warnOnce('answer', `Answering a liveness probe failed: ${String(error)}`);
    });
  }

  private failPending(why: string): void {
    for (const check of this.pending.values()) check.reject(new TransportUnavailableError(`Liveness check abandoned: ${why}`));
    this.pending.clear();
  }

  private channelOf(address: string): string {
    const parsed = parseOwnerAddress(address);
    if (!parsed) throw new Error(`Not an instance address: ${JSON.stringify(address)}`);
    return this.keys.liveness(parsed.address);
  }

  /** Logged the first time only: a peer sending bad probes, or Redis refusing answers, would flood the log. */
  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.logger.warn(message);
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportUnavailableError('The Redis Streams transport is closed');
  }
}

function remaining(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}

/**
 * A probe as published by a checker, `{"r":"<answer channel>","t":"<token>"}`, or `undefined`:
 * too long, not that shape, or an answer channel outside `replyPrefix` (a probe cannot make an
 * instance publish anywhere else).
 */
export function parseLivenessProbe(message: string, replyPrefix: string): LivenessProbe | undefined {
  if (message.length > MAX_PROBE_LENGTH) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { r, t } = value as Record<string, unknown>;
  if (typeof r !== 'string' || !r.startsWith(replyPrefix) || !r.endsWith('}')) return undefined;
  if (typeof t !== 'string' || t.length === 0 || t.length > MAX_TOKEN_LENGTH) return undefined;
  return { replyTo: r, token: t };
}
