import { type CatgaMediator, newMessageId } from '@catga/core';
import { OrderItem, PlaceOrder } from '@catga/order-contracts';
import { percentile, sortedDurations } from '../distributed/percentile.js';

export interface OrderLoadResult {
  seconds: number;
  /** Time of each order from send to outcome, in ms. */
  durations: number[];
}

const PRODUCTS = Array.from({ length: 100 }, (_, i) => `bench-${i}`);

function item(productId: string): OrderItem {
  return Object.assign(new OrderItem(), { productId, quantity: 1, price: 1 });
}

/** Places `count` orders over the mediator with `inFlight` at a time; every saga must complete. */
export async function driveOrders(mediator: CatgaMediator, count: number, inFlight: number): Promise<OrderLoadResult> {
  const durations: number[] = [];
  let next = 0;
  const place = async (n: number) => {
    const orderId = newMessageId();
    const started = performance.now();
    const result = await mediator.send(new PlaceOrder(orderId, `c-${n}`, [item(PRODUCTS[n % PRODUCTS.length]!)]));
    if (result.status !== 'Completed') throw new Error(`saga ${orderId} ended ${result.status}`);
    return performance.now() - started;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) durations.push(await place(next++));
    }),
  );
  return { seconds: (performance.now() - started) / 1000, durations };
}

export interface OrderLoadSummary {
  readonly orders: number;
  readonly inFlight: number;
  readonly ordersPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs right before and right after the timed part (the warm-up done), so what it measures is that part only. */
export interface TimedPartHooks {
  beforeTimed(): Promise<void>;
  afterTimed(): Promise<void>;
}

/** Places `warmup` untimed orders, then `orders` timed ones, `inFlight` at a time each. */
export async function timeOrders(
  mediator: CatgaMediator,
  warmup: number,
  orders: number,
  inFlight: number,
  hooks?: TimedPartHooks,
): Promise<OrderLoadSummary> {
  await driveOrders(mediator, warmup, inFlight);
  await hooks?.beforeTimed();
  const { seconds, durations } = await driveOrders(mediator, orders, inFlight);
  await hooks?.afterTimed();
  const sorted = sortedDurations(durations);
  return { orders, inFlight, ordersPerSecond: orders / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}
