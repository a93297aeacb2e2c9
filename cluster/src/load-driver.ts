import { setTimeout as delay } from 'node:timers/promises';
import type { PlannedOrder } from './order-plan.js';

/** What the client saw of one order. */
export interface OrderOutcome {
  readonly order: PlannedOrder;
  /** From the 201 reply; undefined when the client gave up. */
  readonly orderId: string | undefined;
  /** The status in the 201 reply: Completed, Compensated, or Pending if the saga was still running. */
  readonly placedStatus: string | undefined;
  /** Requests made for this order: 1 plus its retries. */
  readonly attempts: number;
  /** Epoch ms of the first attempt and of the final answer. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Why the client gave up (a 4xx, or still failing at its deadline); undefined on success. */
  readonly failure: string | undefined;
}

export interface LoadDriverOptions {
  readonly apiUrls: readonly string[];
  readonly concurrency: number;
  /** Per request; order-api itself answers 504 after its 30 s request timeout. Default 45 s. */
  readonly attemptTimeoutMs?: number;
  /** The client stops retrying an order this long after its first attempt. Default 120 s. */
  readonly giveUpAfterMs?: number;
}

type Attempt =
  | { readonly kind: 'placed'; readonly orderId: string; readonly status: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'final'; readonly reason: string };

/**
 * Places orders through order-api at a fixed concurrency, alternating between its replicas. A 5xx
 * or a network error is retried with the same Idempotency-Key on the next replica, with backoff, as
 * a well-behaved HTTP client does; a 4xx is final.
 */
export class LoadDriver {
  private started = 0;
  private answered = 0;
  private retries = 0;
  private total = 0;
  /** Why requests were retried: "503 STORE_UNAVAILABLE", "network: ECONNREFUSED", … */
  readonly retryReasons = new Map<string, number>();
  /** Order requests (first attempts and retries) sent to each order-api URL. */
  readonly requestsPerApi = new Map<string, number>();

  constructor(private readonly options: LoadDriverOptions) {
    if (options.apiUrls.length === 0) throw new Error('LoadDriver: no order-api URL');
  }

  /** Share of the orders whose first request has gone out, 0..1. */
  get progress(): number {
    return this.total === 0 ? 0 : this.started / this.total;
  }

  /** One line on where the load stands. */
  describeProgress(): string {
    return `${this.started} of ${this.total} orders sent, ${this.answered} answered, ${this.retries} requests retried`;
  }

  async run(orders: readonly PlannedOrder[]): Promise<OrderOutcome[]> {
    this.total = orders.length;
    this.started = 0;
    this.answered = 0;
    this.retries = 0;
    const outcomes: OrderOutcome[] = new Array<OrderOutcome>(orders.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < orders.length; i = next++) {
        this.started += 1;
        outcomes[i] = await this.place(orders[i] as PlannedOrder);
        this.answered += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, orders.length) }, worker));
    return outcomes;
  }

  private async place(order: PlannedOrder): Promise<OrderOutcome> {
    const startedAt = Date.now();
    const deadline = startedAt + (this.options.giveUpAfterMs ?? 120_000);
    const apis = this.options.apiUrls;
    for (let attempt = 1; ; attempt += 1) {
      const api = apis[(order.n + attempt - 1) % apis.length] as string;
      this.requestsPerApi.set(api, (this.requestsPerApi.get(api) ?? 0) + 1);
      const result = await this.attempt(api, order);
      const finish = (orderId: string | undefined, placedStatus: string | undefined, failure: string | undefined): OrderOutcome => ({
        order,
        orderId,
        placedStatus,
        attempts: attempt,
        startedAt,
        finishedAt: Date.now(),
        failure,
      });
      if (result.kind === 'placed') return finish(result.orderId, result.status, undefined);
      if (result.kind === 'final') return finish(undefined, undefined, result.reason);
      const backoff = Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5)) * (0.5 + Math.random() / 2);
      if (Date.now() + backoff >= deadline) return finish(undefined, undefined, `gave up after ${attempt} attempts: ${result.reason}`);
      this.retryReasons.set(result.reason, (this.retryReasons.get(result.reason) ?? 0) + 1);
      this.retries += 1;
      await delay(backoff);
    }
  }

  private async attempt(api: string, order: PlannedOrder): Promise<Attempt> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${api}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': order.idempotencyKey },
        body: JSON.stringify({ customerId: order.customerId, items: order.items }),
        signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 45_000),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return { kind: 'retry', reason: `network: ${networkReason(error)}` };
    }
    const body = parseObject(text);
    if (status === 201 && typeof body['orderId'] === 'string') {
      return { kind: 'placed', orderId: body['orderId'], status: String(body['status']) };
    }
    const reason = `${status} ${typeof body['code'] === 'string' ? body['code'] : text.slice(0, 80)}`;
    return status >= 500 ? { kind: 'retry', reason } : { kind: 'final', reason };
  }
}

function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as Error & { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : error.message;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
