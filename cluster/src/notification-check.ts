import { setTimeout as delay } from 'node:timers/promises';
import type { NotificationRecord } from '@catga/order-contracts';
import { readJson } from './api-reads.js';
import type { SettledOrder } from './verification.js';

export interface NotificationCheck {
  /** Completed orders without a notification when the wait ended. */
  readonly missing: number;
  /** Completed orders notified more than once: their OrderCompleted was handled twice. */
  readonly duplicated: number;
  /** Orders of this run that were notified but that the client never learned of (an order placed again under a new id). */
  readonly forUnknownOrders: number;
}

const POLL_MS = 500;

/**
 * Notifications are sent from the OrderCompleted event, after the order is Completed; waits up to
 * `timeoutMs` for every completed order to have one, then counts them. Only this run's customers
 * (their ids start with `tag`) are looked at.
 */
export async function checkNotifications(
  settled: readonly SettledOrder[],
  tag: string,
  apiUrls: readonly string[],
  timeoutMs: number,
): Promise<NotificationCheck> {
  const completed = new Set(settled.filter((order) => order.status === 'Completed').map((order) => order.outcome.orderId as string));
  const known = new Set(settled.flatMap((order) => (order.outcome.orderId === undefined ? [] : [order.outcome.orderId])));
  const deadline = Date.now() + timeoutMs;
  let perOrder = new Map<string, number>();
  for (;;) {
    const records = (await readJson(apiUrls, '/api/notifications')).body as NotificationRecord[];
    perOrder = new Map<string, number>();
    for (const record of records) {
      if (record.customerId.startsWith(`${tag}-`)) perOrder.set(record.orderId, (perOrder.get(record.orderId) ?? 0) + 1);
    }
    const missing = [...completed].filter((orderId) => !perOrder.has(orderId)).length;
    if (missing === 0 || Date.now() >= deadline) break;
    await delay(POLL_MS);
  }
  return {
    missing: [...completed].filter((orderId) => !perOrder.has(orderId)).length,
    duplicated: [...completed].filter((orderId) => (perOrder.get(orderId) ?? 0) > 1).length,
    forUnknownOrders: [...perOrder.keys()].filter((orderId) => !known.has(orderId)).length,
  };
}
