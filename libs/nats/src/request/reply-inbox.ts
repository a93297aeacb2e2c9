import {
  ClosedConnectionError,
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  NoRespondersError,
  type Subscription,
} from '@nats-io/transport-node';

/** Where the messages sent to one request's reply subject go. */
interface ReplyWaiter {
  /** The subject the request was published to (a publish the server refuses names it). */
  readonly subject: string;
  /** A message on the reply subject: the reply, a progress word, or the server's "no responders". */
  onMessage(msg: Msg): void;
  /** The request cannot be answered: the server refused it or the reply subscription, or the connection closed. */
  onError(error: Error): void;
}

/** How one exchange waits for its reply. */
export interface ReplyWait {
  /** How long to wait for the first message, in ms. */
  readonly waitMs: number;
  /**
   * An empty message that is not the server's "no responders": a progress word when this returns
   * how much longer to wait (ms), else the reply. Without it, any such message is the reply.
   */
  progress?(msg: Msg): number | undefined;
  /** What the exchange fails with when the wait runs out. */
  timeout(): Error;
}

/**
 * One subscription, `<inbox prefix>.<nuid>.*`, carries the replies of every request this client
 * sends; each request gets a token under it. nats.js's own request path does the same, but
 * builds two errors with stack traces and an async iterator per request; this one costs a map
 * entry. A publish the server's permissions refuse fails the first waiting request sent to that
 * subject, as nats.js does; a refused reply subscription fails every waiting request and is
 * made again by the next one.
 */
export class ReplyInbox {
  private readonly waiters = new Map<string, ReplyWaiter>();
  private subscription: Subscription | undefined;
  private prefix = '';
  private nextToken = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly inboxPrefix: string,
  ) {
    void this.watchRefusals();
    void nc.closed().then(() => this.failAll(new ClosedConnectionError()));
  }

  /**
   * Publishes `body` to `subject` with a reply subject of this inbox and resolves with the reply.
   * A reply has a body; only an empty message (a progress word, a status) has its headers read.
   * The server's "no responders" is nats.js's `NoRespondersError`.
   */
  request(subject: string, body: Uint8Array, headers: MsgHdrs, wait: ReplyWait): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let token = '';
      const end = (error: Error | undefined, msg?: Msg) => {
        clearTimeout(timer);
        this.waiters.delete(token);
        if (error) reject(error);
        else resolve(msg!);
      };
      const expire = () => end(wait.timeout());
      token = this.open({
        subject,
        onMessage: (msg) => {
          if (msg.data.length > 0) return end(undefined, msg);
          if (msg.headers?.code === 503) return end(new NoRespondersError(subject));
          const more = wait.progress?.(msg);
          if (more === undefined) return end(undefined, msg);
          clearTimeout(timer);
          if (more <= 0) return expire();
          timer = setTimeout(expire, more);
        },
        onError: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      timer = setTimeout(expire, wait.waitMs);
      try {
        this.nc.publish(subject, body, { reply: `${this.prefix}.${token}`, headers });
      } catch (error) {
        end(error as Error);
      }
    });
  }

  /** Registers a waiter under a new token of the reply subject; deleting the token drops late messages. */
  private open(waiter: ReplyWaiter): string {
    if (!this.subscription) this.subscribe();
    const token = (this.nextToken++).toString(36);
    this.waiters.set(token, waiter);
    return token;
  }

  private subscribe(): void {
    this.prefix = createInbox(this.inboxPrefix);
    const skip = this.prefix.length + 1;
    this.subscription = this.nc.subscribe(`${this.prefix}.*`, {
      callback: (error, msg) => {
        if (error) {
          this.subscription = undefined;
          this.failAll(error);
          return;
        }
        this.waiters.get(msg.subject.slice(skip))?.onMessage(msg);
      },
    });
  }

  private failAll(error: Error): void {
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiting) waiter.onError(error);
  }

  /** The server reports a refused publish on the connection, not on the request. */
  private async watchRefusals(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type !== 'error') continue;
      const error = status.error as Error & { operation?: string; subject?: string };
      if (error.name !== 'PermissionViolationError' || error.operation !== 'publish') continue;
      for (const [token, waiter] of this.waiters) {
        if (waiter.subject !== error.subject) continue;
        this.waiters.delete(token);
        waiter.onError(error);
        break;
      }
    }
  }
}
