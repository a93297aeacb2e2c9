import { setTimeout as delay } from 'node:timers/promises';
import { INITIAL_STOCK, type PaymentRecord, type StockLevel } from '@catga/order-contracts';
import { mapConcurrently, readJson } from './api-reads.js';
import type { OrderOutcome } from './load-driver.js';

const TERMINAL = new Set(['Completed', 'Compensated', 'Failed']);
const READ_CONCURRENCY = 16;
const SETTLE_POLL_MS = 500;

export interface SettledOrder {
  readonly outcome: OrderOutcome;
  /** The status GET /api/orders/:id last showed: Completed, Compensated, Failed, Pending, `HTTP 404`, …; undefined if never placed. */
  readonly status: string | undefined;
  readonly terminal: boolean;
}

/** Reads every placed order until all are Completed, Compensated or Failed, or `timeoutMs` has passed. */
export async function settleOrders(
  outcomes: readonly OrderOutcome[],
  apiUrls: readonly string[],
  timeoutMs: number,
): Promise<SettledOrder[]> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<number, string>();
  let open = outcomes.filter((outcome) => outcome.orderId !== undefined);
  while (open.length > 0) {
    await mapConcurrently(open, READ_CONCURRENCY, async (outcome) => {
      try {
        const { status, body } = await readJson(apiUrls, `/api/orders/${outcome.orderId}`, 3);
        seen.set(outcome.order.n, status === 200 ? String((body as { status?: unknown }).status) : `HTTP ${status}`);
      } catch {
        seen.set(outcome.order.n, 'unreadable');
      }
    });
    open = open.filter((outcome) => !TERMINAL.has(seen.get(outcome.order.n) ?? ''));
    if (open.length === 0 || Date.now() >= deadline) break;
    await delay(SETTLE_POLL_MS);
  }
  return outcomes.map((outcome) => {
    const status = seen.get(outcome.order.n);
    return { outcome, status, terminal: TERMINAL.has(status ?? '') };
  });
}

export interface LedgerCheck {
  /** Orders whose payment was charged more than once. */
  readonly chargedMoreThanOnce: number;
  /** Completed orders with a refund, compensated ones whose refunds differ from their charges. */
  readonly refundsNotAsExpected: number;
  /** Products whose reserved stock differs from the units of their completed orders (or whose units do not add up to the initial stock). */
  readonly inventoryMismatches: number;
  /** Completed orders never charged: wrong, but not an effect applied twice. */
  readonly chargesMissing: number;
  /** The first few of the above, spelled out. */
  readonly findings: readonly string[];
}

const MAX_FINDINGS = 20;

/**
 * Payments (GET /api/payments/:orderId) of every terminal order and stock (GET
 * /api/inventory/:productId) of every product, against what the orders' final statuses demand.
 */
export async function checkLedger(
  settled: readonly SettledOrder[],
  products: readonly string[],
  apiUrls: readonly string[],
): Promise<LedgerCheck> {
  const findings: string[] = [];
  const note = (text: string): void => {
    if (findings.length < MAX_FINDINGS) findings.push(text);
  };
  let chargedMoreThanOnce = 0;
  let refundsNotAsExpected = 0;
  let chargesMissing = 0;
  const terminal = settled.filter((order) => order.terminal);
  const payments = await mapConcurrently(terminal, READ_CONCURRENCY, async ({ outcome }) => {
    const { status, body } = await readJson(apiUrls, `/api/payments/${outcome.orderId}`);
    // No payment record: the saga never reached the payment service.
    return status === 404 ? { charged: 0, refunded: 0 } : (body as PaymentRecord);
  });
  terminal.forEach(({ outcome, status }, i) => {
    const { charged, refunded } = payments[i] as Pick<PaymentRecord, 'charged' | 'refunded'>;
    const label = `order ${outcome.order.n} (${outcome.orderId}) ${status}: charged ${charged}, refunded ${refunded}`;
    if (charged > 1) {
      chargedMoreThanOnce += 1;
      note(label);
    }
    if (status === 'Completed' ? refunded !== 0 : status === 'Compensated' && refunded !== charged) {
      refundsNotAsExpected += 1;
      note(label);
    }
    if (status === 'Completed' && charged === 0) {
      chargesMissing += 1;
      note(label);
    }
  });

  const expected = new Map<string, number>();
  for (const { outcome, status } of settled) {
    if (status !== 'Completed') continue;
    for (const item of outcome.order.items) expected.set(item.productId, (expected.get(item.productId) ?? 0) + item.quantity);
  }
  const levels = await mapConcurrently(products, READ_CONCURRENCY, async (productId) => {
    return (await readJson(apiUrls, `/api/inventory/${encodeURIComponent(productId)}`)).body as StockLevel;
  });
  let inventoryMismatches = 0;
  products.forEach((productId, i) => {
    const level = levels[i] as StockLevel;
    const want = expected.get(productId) ?? 0;
    if (level.reserved !== want || level.available + level.reserved !== INITIAL_STOCK) {
      inventoryMismatches += 1;
      note(`${productId}: reserved ${level.reserved}, available ${level.available}; completed orders hold ${want}`);
    }
  });
  return { chargedMoreThanOnce, refundsNotAsExpected, inventoryMismatches, chargesMissing, findings };
}
