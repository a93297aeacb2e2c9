import type { ClusterReport } from './report.js';
import { table } from './text-table.js';

/** The report as a terminal page. */
export function formatReport(report: ClusterReport): string {
  const { orders, effects, client, load } = report;
  const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : `${value} ms`);
  const lines = [
    `Load: ${orders.sent} orders at concurrency ${load.concurrency}${load.chaos ? ' with chaos' : ''} in ${(load.durationMs / 1000).toFixed(1)} s, settled in ${(load.settleMs / 1000).toFixed(1)} s`,
    `Orders:  sent ${orders.sent}  completed ${orders.completed}  compensated ${orders.compensated} (declines planned ${orders.declinesPlanned})  failed ${orders.failed} (saga Failed ${orders.failedTerminal}, client gave up ${orders.clientGaveUp})  stuck ${orders.stuck}`,
    `         normal orders compensated ${orders.normalButCompensated}, declined orders completed ${orders.declinedButCompleted}`,
    ...orders.stuckOrders.map((stuck) => `         stuck: ${stuck}`),
    `Effects applied twice: ${effects.appliedTwice}  (charged more than once ${effects.chargedMoreThanOnce}, refunds not as expected ${effects.refundsNotAsExpected}, products with wrong stock ${effects.inventoryMismatches}; completed but never charged ${effects.chargesMissing})`,
    ...effects.findings.map((finding) => `         ${finding}`),
    `Notifications: completed orders not notified ${report.notifications.missing}, notified twice ${report.notifications.duplicated}; notified orders the client never saw ${report.notifications.forUnknownOrders}`,
    `Client:  failed ${client.failed}  requests retried ${client.retried} (${client.ordersRetried} orders)  throughput ${client.ordersPerSecond} orders/s (first 99 % of answers: ${client.ordersPerSecondFirst99} orders/s)`,
    `         latency p50 ${client.latencyMs.p50} ms  p95 ${client.latencyMs.p95} ms  p99 ${client.latencyMs.p99} ms  max ${client.latencyMs.max} ms`,
    `         order requests per order-api replica: ${Object.entries(client.requestsPerApi)
      .map(([api, n]) => `${api} ${n}`)
      .join(', ')}`,
    ...Object.entries(client.retryReasons).map(([reason, n]) => `         retried after ${reason}: ${n}`),
    ...client.failures.map((failure) => `         ${failure}`),
    'Handled per replica during the load (catga_requests_total):',
    ...table(
      ['instance', 'handled', 'command', 'query', 'event', 'restarts'],
      report.handled.map((h) =>
        [h.instance, h.handled, h.byKind['command'] ?? 0, h.byKind['query'] ?? 0, h.byKind['event'] ?? 0, h.restarts].map(String),
      ),
    ),
  ];
  if (report.faults.length > 0 || report.skippedFaults.length > 0) {
    lines.push(
      'Faults (times after the fault):',
      ...table(
        ['at', 'fault', 'exited', 'promoted', 'replacement ready', 'next order completed'],
        report.faults.map((f) => [
          `${(f.atMs / 1000).toFixed(1)} s`,
          `${f.kind === 'partition' ? `cut off ${f.target}, healed after ${ms(f.healedAfterMs)}` : `${f.signal} ${f.target}`}${f.error ? ` (error: ${f.error})` : ''}`,
          ms(f.exitedAfterMs),
          f.kind === 'redis-primary' ? `${f.promoted ?? '-'} ${ms(f.promotedAfterMs)}` : '',
          `${ms(f.replacementReadyAfterMs)}${f.failedStarts ? ` (failed starts: ${f.failedStarts})` : ''}`,
          ms(f.nextOrderCompletedAfterMs),
        ]),
      ),
      ...report.skippedFaults.map((s) => `  skipped: ${s.description} (${s.reason})`),
    );
  }
  return lines.join('\n');
}
