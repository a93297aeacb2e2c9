import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultKind, FaultLog, FaultRecord, SkippedFault } from './fault-log.js';
import type { HandledCount } from './metrics-scrape.js';
import type { NotificationCheck } from './notification-check.js';
import type { LedgerCheck, SettledOrder } from './verification.js';
import type { ReplicaCounts } from './topology.js';

export interface FaultSummary {
  readonly kind: FaultKind;
  readonly target: string;
  /** None for a partition. */
  readonly signal?: NodeJS.Signals;
  /** When, counted from the first order. */
  readonly atMs: number;
  /** Until the process had exited (for SIGTERM: drained). */
  readonly exitedAfterMs: number | null;
  /** Partition: until the link was restored. */
  readonly healedAfterMs?: number | null;
  /** Redis: the replica Sentinel promoted, and how long that took. */
  readonly promoted?: string;
  readonly promotedAfterMs?: number | null;
  /** Until the replacement was ready: the replica's /health/ready, the NATS node back in a healthy cluster, the old Redis primary synced as a replica. */
  readonly replacementReadyAfterMs: number | null;
  /** Replica: starts of the replacement that failed before one became ready (restarted like a container). */
  readonly failedStarts?: number;
  /** Until the first order placed after the fault had completed. */
  readonly nextOrderCompletedAfterMs: number | null;
  readonly error?: string;
}

export interface ClusterReport {
  readonly runDir: string;
  readonly startedAt: string;
  readonly replicas: ReplicaCounts;
  readonly load: {
    readonly orders: number;
    readonly concurrency: number;
    readonly chaos: boolean;
    /** From the first order request to the last order's final answer. */
    readonly durationMs: number;
    /** Waiting for orders to become terminal after the load. */
    readonly settleMs: number;
  };
  readonly orders: {
    readonly sent: number;
    readonly completed: number;
    readonly compensated: number;
    /** failedTerminal + clientGaveUp. */
    readonly failed: number;
    /** The saga ended Failed (a compensation kept failing). */
    readonly failedTerminal: number;
    /** No order id: the client's final answer was a 4xx, or 5xx and network errors until its deadline. */
    readonly clientGaveUp: number;
    /** Placed, but neither Completed, Compensated nor Failed when the settle deadline passed. */
    readonly stuck: number;
    /** The first stuck orders and the status they were left in. */
    readonly stuckOrders: readonly string[];
    /** Orders planned above the payment limit; each must end Compensated. */
    readonly declinesPlanned: number;
    readonly normalButCompensated: number;
    readonly declinedButCompleted: number;
  };
  readonly effects: LedgerCheck & {
    /** chargedMoreThanOnce + refundsNotAsExpected + inventoryMismatches: must be 0. */
    readonly appliedTwice: number;
  };
  /** Notifications of completed orders: an event effect, checked besides the ledger. */
  readonly notifications: NotificationCheck;
  readonly client: {
    /** Orders whose request failed for good (after retries). */
    readonly failed: number;
    /** Requests repeated after a 5xx or a network error. */
    readonly retried: number;
    readonly ordersRetried: number;
    readonly retryReasons: Readonly<Record<string, number>>;
    /** Order requests (first attempts and retries) per order-api replica: order-api only sends, so its catga_requests_total stays 0. */
    readonly requestsPerApi: Readonly<Record<string, number>>;
    readonly failures: readonly string[];
    /** Orders answered 201, per second from the first request to the last 201. */
    readonly ordersPerSecond: number;
    /** The same over the first 99 % of those answers, so one straggler does not hide the rate. */
    readonly ordersPerSecondFirst99: number;
    /** The client's order call, retries and backoff included, over the orders answered 201. */
    readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  };
  readonly handled: readonly HandledCount[];
  readonly faults: readonly FaultSummary[];
  readonly skippedFaults: readonly SkippedFault[];
}

export interface ReportInput {
  readonly runDir: string;
  readonly replicas: ReplicaCounts;
  readonly concurrency: number;
  readonly chaos: boolean;
  readonly loadStartedAt: number;
  readonly loadEndedAt: number;
  readonly settleMs: number;
  readonly settled: readonly SettledOrder[];
  readonly ledger: LedgerCheck;
  readonly notifications: NotificationCheck;
  readonly retryReasons: ReadonlyMap<string, number>;
  /** order-api URL → instance id. */
  readonly apiInstances: ReadonlyMap<string, string>;
  readonly requestsPerApi: ReadonlyMap<string, number>;
  readonly handled: readonly HandledCount[];
  readonly faults: FaultLog;
}

export function buildReport(input: ReportInput): ClusterReport {
  const { settled, ledger } = input;
  const count = (predicate: (order: SettledOrder) => boolean): number => settled.filter(predicate).length;
  const placed = settled.filter(({ outcome }) => outcome.orderId !== undefined);
  const latencies = Float64Array.from(placed.map(({ outcome }) => outcome.finishedAt - outcome.startedAt)).sort();
  const durationMs = input.loadEndedAt - input.loadStartedAt;
  const answeredAt = Float64Array.from(placed.map(({ outcome }) => outcome.finishedAt)).sort();
  const rate = (answers: number, until: number): number => round(answers / ((until - input.loadStartedAt) / 1000), 1);
  const first99 = Math.ceil(answeredAt.length * 0.99);
  const failedTerminal = count((o) => o.status === 'Failed');
  const clientGaveUp = count((o) => o.outcome.orderId === undefined);
  const failures = settled.flatMap(({ outcome }) =>
    outcome.failure === undefined ? [] : [`order ${outcome.order.n}: ${outcome.failure}`],
  );
  return {
    runDir: input.runDir,
    startedAt: new Date(input.loadStartedAt).toISOString(),
    replicas: input.replicas,
    load: { orders: settled.length, concurrency: input.concurrency, chaos: input.chaos, durationMs, settleMs: input.settleMs },
    orders: {
      sent: settled.length,
      completed: count((o) => o.status === 'Completed'),
      compensated: count((o) => o.status === 'Compensated'),
      failed: failedTerminal + clientGaveUp,
      failedTerminal,
      clientGaveUp,
      stuck: count((o) => o.outcome.orderId !== undefined && !o.terminal),
      stuckOrders: settled
        .filter((o) => o.outcome.orderId !== undefined && !o.terminal)
        .slice(0, 20)
        .map((o) => `order ${o.outcome.order.n} (${o.outcome.orderId}): ${o.status ?? 'never read'}`),
      declinesPlanned: count((o) => o.outcome.order.declined),
      normalButCompensated: count((o) => !o.outcome.order.declined && o.status === 'Compensated'),
      declinedButCompleted: count((o) => o.outcome.order.declined && o.status === 'Completed'),
    },
    effects: { ...ledger, appliedTwice: ledger.chargedMoreThanOnce + ledger.refundsNotAsExpected + ledger.inventoryMismatches },
    notifications: input.notifications,
    client: {
      failed: clientGaveUp,
      retried: settled.reduce((sum, { outcome }) => sum + outcome.attempts - 1, 0),
      ordersRetried: count((o) => o.outcome.attempts > 1),
      retryReasons: Object.fromEntries([...input.retryReasons].sort((a, b) => b[1] - a[1])),
      requestsPerApi: Object.fromEntries([...input.apiInstances].map(([url, instance]) => [instance, input.requestsPerApi.get(url) ?? 0])),
      failures: failures.slice(0, 20),
      ordersPerSecond: rate(answeredAt.length, answeredAt[answeredAt.length - 1] ?? input.loadStartedAt),
      ordersPerSecondFirst99: rate(first99, answeredAt[first99 - 1] ?? input.loadStartedAt),
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p95: percentile(latencies, 0.95),
        p99: percentile(latencies, 0.99),
        max: percentile(latencies, 1),
      },
    },
    handled: input.handled,
    faults: input.faults.faults.map((fault) => summarizeFault(fault, input.loadStartedAt, settled)),
    skippedFaults: input.faults.skipped,
  };
}

function summarizeFault(fault: FaultRecord, loadStartedAt: number, settled: readonly SettledOrder[]): FaultSummary {
  const after = (time: number | undefined): number | null => (time === undefined ? null : time - fault.at);
  // The first order sent after the fault that completed: new work got through again.
  const next = settled
    .map(({ outcome }) => outcome)
    .filter((outcome) => outcome.startedAt >= fault.at && outcome.placedStatus === 'Completed')
    .reduce<number | undefined>((first, outcome) => Math.min(first ?? Infinity, outcome.finishedAt), undefined);
  return {
    kind: fault.kind,
    target: fault.target,
    ...(fault.signal === undefined ? {} : { signal: fault.signal }),
    atMs: fault.at - loadStartedAt,
    exitedAfterMs: after(fault.exitedAt),
    ...(fault.kind === 'partition' ? { healedAfterMs: after(fault.healedAt) } : {}),
    ...(fault.kind === 'redis-primary' ? { promoted: fault.promoted, promotedAfterMs: after(fault.promotedAt) } : {}),
    replacementReadyAfterMs: after(fault.replacedAt),
    ...(fault.failedStarts === undefined ? {} : { failedStarts: fault.failedStarts }),
    nextOrderCompletedAfterMs: after(next),
    ...(fault.error === undefined ? {} : { error: fault.error }),
  };
}

/** Nearest-rank percentile of ascending values; 0 when there are none. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * scale) / scale : 0;
}

export function writeReport(report: ClusterReport): string {
  const file = join(report.runDir, 'report.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The invariants a run must keep, each broken one spelled out; empty when all hold. */
export function problemsOf(report: ClusterReport): string[] {
  const { orders, effects, client } = report;
  return [
    orders.stuck > 0 ? `${orders.stuck} orders stuck` : '',
    orders.failed > 0
      ? `${orders.failed} orders failed (${orders.failedTerminal} saga Failed, ${orders.clientGaveUp} given up by the client)`
      : '',
    effects.appliedTwice > 0 ? `${effects.appliedTwice} effects not applied exactly once` : '',
    client.failed > 0 ? `${client.failed} requests failed for the client` : '',
  ].filter(Boolean);
}
