import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatReport, startCluster, type ClusterHandle, type ClusterReport } from '@catga/cluster';

const ORDERS = 500;
const CONCURRENCY = 32;
const CHECKS = 5;

describe('the local cluster under load while an order-service replica and a NATS node are killed', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'catga-cluster-chaos-'));
  let cluster: ClusterHandle | undefined;
  let report: ClusterReport;
  let passed = 0;

  before(
    async () => {
      // Smaller than the default topology so it fits two cores: 8 service processes, not 11.
      cluster = await startCluster({
        runDir,
        replicas: { 'order-api': 2, 'order-service': 3, 'payment-service': 1, 'inventory-service': 1, 'notification-service': 1 },
      });
      report = await cluster.runLoad({
        orders: ORDERS,
        concurrency: CONCURRENCY,
        chaos: [
          { kind: 'replica', service: 'order-service', signal: 'SIGKILL', atProgress: 0.15 },
          { kind: 'nats-node', atProgress: 0.4 },
        ],
        settleTimeoutMs: 60_000,
        giveUpAfterMs: 90_000,
      });
      console.log(formatReport(report));
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await cluster?.stop();
    if (passed === CHECKS) rmSync(runDir, { recursive: true, force: true });
    else console.log(`logs and report kept in ${runDir}`);
  });

  it('every order ends Completed or Compensated: none stuck, none failed', () => {
    const { orders } = report;
    assert.equal(orders.sent, ORDERS);
    assert.deepEqual({ stuck: orders.stuck, failed: orders.failed }, { stuck: 0, failed: 0 });
    assert.equal(orders.completed + orders.compensated, ORDERS);
    // Only the orders planned above the payment limit are declined.
    assert.equal(orders.compensated, orders.declinesPlanned);
    // An infrastructure fault never becomes a business outcome.
    assert.equal(orders.normalButCompensated, 0);
    passed += 1;
  });

  it('no effect is applied twice: each order charged at most once, refunds and stock add up', () => {
    assert.equal(report.effects.appliedTwice, 0, report.effects.findings.join('\n'));
    assert.equal(report.effects.chargesMissing, 0, report.effects.findings.join('\n'));
    passed += 1;
  });

  it('no order fails for the client: retries with the same Idempotency-Key get through', () => {
    assert.equal(report.client.failed, 0, report.client.failures.join('\n'));
    passed += 1;
  });

  it('both faults were injected, and each killed process was back and ready afterwards', () => {
    assert.deepEqual(report.skippedFaults, []);
    assert.deepEqual(
      report.faults.map((fault) => fault.kind),
      ['replica', 'nats-node'],
    );
    for (const fault of report.faults) {
      assert.equal(fault.error, undefined, `${fault.target}: ${fault.error}`);
      assert.ok(fault.replacementReadyAfterMs !== null, `${fault.target} never came back`);
      assert.ok(fault.nextOrderCompletedAfterMs !== null, `no order completed after ${fault.target} was killed`);
    }
    passed += 1;
  });

  it('the load spread over all three order-service replicas', () => {
    const orderService = report.handled.filter((h) => h.service === 'order-service');
    assert.equal(orderService.length, 3);
    for (const replica of orderService) assert.ok(replica.handled > 0, `${replica.instance} handled nothing`);
    passed += 1;
  });
});
