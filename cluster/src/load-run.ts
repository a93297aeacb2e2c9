import { runChaos, type ChaosTargets } from './chaos-schedule.js';
import { FaultLog } from './fault-log.js';
import { defaultChaosPlan, type FaultPlan } from './fault-plan.js';
import { LoadDriver } from './load-driver.js';
import { HandledCounter } from './metrics-scrape.js';
import { checkNotifications } from './notification-check.js';
import { planOrders } from './order-plan.js';
import { buildReport, writeReport, type ClusterReport } from './report.js';
import type { ServiceReplica } from './service-replica.js';
import type { ReplicaCounts } from './topology.js';
import { checkLedger, settleOrders } from './verification.js';

export interface LoadOptions {
  readonly orders: number;
  /** Orders in flight. Default 32. */
  readonly concurrency?: number;
  /** `true` for the default schedule (defaultChaosPlan), or a schedule of your own. Default none. */
  readonly chaos?: boolean | readonly FaultPlan[];
  /** How long to wait for orders to become terminal after the load. Default 120 s. */
  readonly settleTimeoutMs?: number;
  /** The client stops retrying an order this long after its first attempt. Default 120 s. */
  readonly giveUpAfterMs?: number;
}

/** What a load run needs of the cluster. */
export interface LoadTarget extends ChaosTargets {
  readonly runDir: string;
  readonly replicaCounts: ReplicaCounts;
  readonly replicas: readonly ServiceReplica[];
  readonly apiUrls: readonly string[];
  readonly onEvent: (line: string) => void;
}

const SCRAPE_INTERVAL_MS = 2_000;
const PROGRESS_INTERVAL_MS = 5_000;
/** Notifications follow Completed through an event; how long they may lag behind. */
const NOTIFICATION_WAIT_MS = 30_000;

/**
 * Places the orders (with chaos if asked), waits until they are terminal, checks payments and
 * stock, scrapes the replicas' metrics, and writes the report to `<runDir>/report.json`.
 */
export async function runLoad(target: LoadTarget, options: LoadOptions): Promise<ClusterReport> {
  const concurrency = options.concurrency ?? 32;
  const plan = planOrders(options.orders, `load${Date.now().toString(36)}`);
  const chaosPlan = options.chaos === true ? defaultChaosPlan(target.replicaCounts) : options.chaos || [];
  const driver = new LoadDriver({ apiUrls: target.apiUrls, concurrency, giveUpAfterMs: options.giveUpAfterMs });
  const handled = new HandledCounter(target.replicas);
  const faults = new FaultLog();
  await handled.begin(SCRAPE_INTERVAL_MS);
  let finished = false;
  const progress = setInterval(() => target.onEvent(`load: ${driver.describeProgress()}`), PROGRESS_INTERVAL_MS);
  progress.unref();
  try {
    const loadStartedAt = Date.now();
    const loading = driver.run(plan.orders).finally(() => {
      finished = true;
    });
    const chaos = runChaos({
      plan: chaosPlan,
      targets: target,
      log: faults,
      progress: () => driver.progress,
      loadFinished: () => finished,
      beforeKill: (replica) => handled.scrape(replica),
      onEvent: target.onEvent,
    });
    const [outcomes] = await Promise.all([loading, chaos]);
    const loadEndedAt = Math.max(...outcomes.map((outcome) => outcome.finishedAt), loadStartedAt);
    clearInterval(progress);
    // The count stops here: the checks below read through the same services.
    handled.stop();
    await handled.scrapeAll();
    const handledCounts = handled.counts();
    target.onEvent(`load: ${outcomes.length} orders answered; waiting until every order is terminal`);

    const settleStartedAt = Date.now();
    const settled = await settleOrders(outcomes, target.apiUrls, options.settleTimeoutMs ?? 120_000);
    const settleMs = Date.now() - settleStartedAt;
    target.onEvent('load: checking payments, stock and notifications');
    const ledger = await checkLedger(settled, plan.products, target.apiUrls);
    const notifications = await checkNotifications(settled, plan.tag, target.apiUrls, NOTIFICATION_WAIT_MS);
    const report = buildReport({
      runDir: target.runDir,
      replicas: target.replicaCounts,
      concurrency,
      chaos: chaosPlan.length > 0,
      loadStartedAt,
      loadEndedAt,
      settleMs,
      settled,
      ledger,
      notifications,
      retryReasons: driver.retryReasons,
      apiInstances: new Map(target.replicasOf('order-api').map((api) => [api.url, api.instanceId])),
      requestsPerApi: driver.requestsPerApi,
      handled: handledCounts,
      faults,
    });
    writeReport(report);
    return report;
  } finally {
    clearInterval(progress);
    handled.stop();
  }
}
