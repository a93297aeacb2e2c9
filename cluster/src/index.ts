// Public surface of @catga/cluster: the sample system as a local cluster, with load and chaos.

export { startCluster, type ClusterHandle, type ClusterOptions } from './cluster.js';
export type { LoadOptions } from './load-run.js';
export { defaultChaosPlan, describeFault, partitionedServices, type FaultPlan } from './fault-plan.js';
export type { FaultKind } from './fault-log.js';
export type { ClusterReport, FaultSummary } from './report.js';
export { formatReport } from './report-format.js';
export { problemsOf } from './report.js';
export type { HandledCount } from './metrics-scrape.js';
export type { LedgerCheck } from './verification.js';
export type { NotificationCheck } from './notification-check.js';
export type { ServiceReplica } from './service-replica.js';
export type { Infrastructure } from './infrastructure.js';
export { DEFAULT_REPLICAS, SERVICES, type ReplicaCounts, type ServiceName } from './topology.js';
