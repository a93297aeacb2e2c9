import { displayPath as path } from './display-path.js';
import type { Infrastructure } from './infrastructure.js';
import type { ServiceReplica } from './service-replica.js';
import { table } from './text-table.js';

/** Where everything runs: servers, services, their pids, URLs and logs. */
export function describeCluster(runDir: string, infrastructure: Infrastructure, replicas: readonly ServiceReplica[]): string {
  const { nats, redis, serviceEnv } = infrastructure;
  const pid = (value: number | undefined): string => (value === undefined ? 'down' : String(value));
  const apis = replicas.filter((replica) => replica.service === 'order-api');
  return [
    `Run directory: ${path(runDir)} (logs in ${path(`${runDir}/logs`)})`,
    '',
    `NATS cluster ${nats.name}, JetStream, streams with ${serviceEnv['CATGA_NATS_STREAM_REPLICAS']} replicas:`,
    ...table(
      ['node', 'client URL', 'monitoring', 'pid'],
      nats.servers.map((server) => [server.name, server.url, `http://127.0.0.1:${server.monitorPort}`, pid(server.process.pid)]),
    ),
    '',
    `Redis with Sentinel, master name "${redis.masterName}" (roles as started; Sentinel may swap them):`,
    ...table(
      ['role', 'address', 'pid'],
      [
        ...redis.servers.map((server, i) => [i === 0 ? 'primary' : 'replica', `${server.host}:${server.port}`, pid(server.process.pid)]),
        ...redis.sentinels.map((sentinel) => ['sentinel', `${sentinel.host}:${sentinel.port}`, pid(sentinel.process.pid)]),
      ],
    ),
    '',
    'Services:',
    ...table(
      ['instance', 'pid', 'URL', 'log'],
      replicas.map((replica) => [replica.instanceId, pid(replica.pid), replica.url, path(replica.logFile)]),
    ),
    '',
    'order-api:',
    ...apis.flatMap((api) => [`  ${api.url}/api/orders    ${api.url}/dashboard`]),
    '',
    'Environment to start another replica by hand (add CATGA_SERVICE_NAME, CATGA_INSTANCE_ID, PORT):',
    ...Object.entries(serviceEnv).map(([name, value]) => `  ${name}=${value}`),
  ].join('\n');
}
