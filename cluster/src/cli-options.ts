import { parseArgs } from 'node:util';
import { DEFAULT_REPLICAS, parseReplicaCounts, SERVICES, type ReplicaCounts } from './topology.js';

export interface CliOptions {
  readonly replicas: ReplicaCounts;
  /** Orders to drive through order-api; undefined runs the cluster idle until Ctrl-C. */
  readonly load: number | undefined;
  readonly concurrency: number;
  readonly chaos: boolean;
  readonly settleTimeoutMs: number;
  readonly runDir: string | undefined;
  /** Keep the cluster up after the load report until Ctrl-C. */
  readonly keep: boolean;
}

export type CliCommand = { readonly help: true } | ({ readonly help: false } & CliOptions);

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_SETTLE_SECONDS = 120;

export const USAGE = `Usage: npm run cluster -- [options]

Starts the sample order system as a local cluster of OS processes on 127.0.0.1: a 3-node NATS
cluster with JetStream, Redis (primary, replica, 3 sentinels) and replicas of every service, each
with its own port, CATGA_INSTANCE_ID and log file under the run directory. Prints where everything
is, waits until every service answers /health/ready, and stops everything on Ctrl-C (services
first with SIGTERM, then the servers).

Options:
  --replicas <list>        replica counts, e.g. order-service=3,payment-service=2
                           (default ${SERVICES.map((s) => `${s}=${DEFAULT_REPLICAS[s]}`).join(',')})
  --load <N>               place N orders through order-api (alternating between its replicas,
                           retrying 5xx and network errors with the same Idempotency-Key), wait
                           until every order is terminal, verify payments and stock, print the
                           report and write it to <run dir>/report.json; then stop (see --keep)
  --concurrency <C>        orders in flight during --load (default ${DEFAULT_CONCURRENCY})
  --chaos                  during --load, kill and restart replicas (SIGKILL and SIGTERM), kill
                           and restart a NATS node, kill the Redis primary (Sentinel fails over)
                           and cut a payment-service replica off the network for 5 s (it runs in
                           a network namespace: needs root and ip netns, else that fault is
                           skipped with the reason); needs --load: without orders there is no
                           recovery to measure
  --settle-timeout <s>     how long to wait for orders to reach Completed or Compensated after
                           the load (default ${DEFAULT_SETTLE_SECONDS}); orders still open then count as stuck
  --run-dir <dir>          where logs and the report go (default .cluster/<timestamp>)
  --keep                   with --load: keep the cluster running after the report until Ctrl-C
  -h, --help               this text

Exit status after --load: 0 when every order ended Completed or Compensated, none failed for the
client and every effect was applied exactly once; 1 otherwise (the report says which).
`;

export function parseCliOptions(args: readonly string[]): CliCommand {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      replicas: { type: 'string' },
      load: { type: 'string' },
      concurrency: { type: 'string' },
      chaos: { type: 'boolean', default: false },
      'settle-timeout': { type: 'string' },
      'run-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true };
  const load = values.load === undefined ? undefined : positiveInteger('--load', values.load);
  if (values.chaos && load === undefined) {
    throw new Error('--chaos needs --load <N>: faults are measured by the orders that recover from them');
  }
  if (values.keep && load === undefined) throw new Error('--keep only applies with --load (an idle cluster runs until Ctrl-C)');
  return {
    help: false,
    replicas: values.replicas === undefined ? DEFAULT_REPLICAS : parseReplicaCounts(values.replicas),
    load,
    concurrency: values.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveInteger('--concurrency', values.concurrency),
    chaos: values.chaos,
    settleTimeoutMs:
      1000 *
      (values['settle-timeout'] === undefined ? DEFAULT_SETTLE_SECONDS : positiveInteger('--settle-timeout', values['settle-timeout'])),
    runDir: values['run-dir'],
    keep: values.keep,
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got "${text}"`);
  return value;
}
