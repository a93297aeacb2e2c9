import { hostname } from 'node:os';
import type { ClusterSettings } from '../cluster/cluster-member.js';
import { ownerAddress, PROCESS_EPOCH } from '../liveness/owner-address.js';
import type { FailoverSettings } from '../liveness/peer-liveness.js';
import type { OutboxSettings } from '../outbox/outbox.publisher.js';
import type { CircuitBreakerSettings } from '../pipeline/behaviors/circuit-breaker.behavior.js';
import type { IdempotencySettings } from '../pipeline/behaviors/idempotency.behavior.js';
import type { RetrySettings } from '../pipeline/behaviors/retry.behavior.js';
import type { TimeoutSettings } from '../pipeline/behaviors/timeout.behavior.js';
import type { SagaSettings } from '../saga/saga-options.interface.js';
import type { CatgaModuleOptions } from './catga-options.interface.js';

/** Each built-in behavior: `false` when switched off, else its complete settings. */
export interface PipelineSettings {
  readonly logging: boolean;
  readonly validation: boolean;
  readonly timeout: false | TimeoutSettings;
  readonly idempotency: false | IdempotencySettings;
  readonly circuitBreaker: false | CircuitBreakerSettings;
  readonly retry: false | RetrySettings;
}

/** Every module option with its default and environment applied: resolved once, then injected. */
export interface CatgaSettings {
  readonly serviceName: string;
  readonly instanceId: string;
  /** This process's address (`<service>:<instance>@<epoch>`): the owner its claims and leases record. */
  readonly address: string;
  /** How held claims and leases of instances that are down are taken over; `false`: only once they expire. */
  readonly failover: false | FailoverSettings;
  readonly preferLocal: boolean;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly pipeline: PipelineSettings;
  readonly outbox: OutboxSettings;
  readonly saga: SagaSettings;
  readonly cluster: ClusterSettings;
}

const OFF: PipelineSettings = {
  logging: false,
  validation: false,
  timeout: false,
  idempotency: false,
  circuitBreaker: false,
  retry: false,
};

function resolvePipeline(pipeline: CatgaModuleOptions['pipeline']): PipelineSettings {
  if (pipeline === 'minimal') return OFF;
  const p = pipeline ?? {};
  const t = p.timeout;
  return {
    logging: p.logging ?? true,
    validation: p.validation ?? true,
    timeout:
      t === false
        ? false
        : {
            timeoutMs: (typeof t === 'number' ? t : t?.timeoutMs) ?? 30_000,
            perType: (typeof t === 'object' ? t.perType : undefined) ?? {},
          },
    idempotency:
      p.idempotency === false
        ? false
        : {
            retentionMs: 7 * 24 * 3600_000,
            claimTtlMs: 10_000,
            waitTimeoutMs: 30_000,
            ...definedOnly(typeof p.idempotency === 'object' ? p.idempotency : {}),
          },
    circuitBreaker:
      p.circuitBreaker === false ? false : { failureThreshold: 5, halfOpenAfterMs: 10_000, ...definedOnly(p.circuitBreaker ?? {}) },
    retry: p.retry === false ? false : { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 2_000, ...definedOnly(p.retry ?? {}) },
  };
}

export function resolveSettings(options: CatgaModuleOptions, env: NodeJS.ProcessEnv = process.env): CatgaSettings {
  const serviceName = options.serviceName ?? env.CATGA_SERVICE_NAME ?? 'catga';
  const instanceId = options.instanceId ?? env.CATGA_INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const cluster = options.cluster === false ? {} : (options.cluster ?? {});
  const address = ownerAddress(serviceName, instanceId, PROCESS_EPOCH);
  const failoverOff = options.failover === false || env.CATGA_FAILOVER === 'timeouts';
  return {
    serviceName,
    instanceId,
    address,
    failover: failoverOff ? false : { probeTimeoutMs: 500, recheckMs: 250, ...definedOnly(options.failover || {}) },
    preferLocal: options.preferLocal ?? true,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 25_000,
    pipeline: resolvePipeline(options.pipeline),
    outbox: {
      relayIntervalMs: 1_000,
      relayMinAgeMs: 5_000,
      relayBatchSize: 100,
      relayLeaseMs: 30_000,
      ...definedOnly(options.outbox ?? {}),
    },
    saga: {
      leaseMs: 10_000,
      stepTimeoutMs: 30_000,
      transientRetryMs: 30_000,
      compensationAttempts: 5,
      compensationBackoffMs: 100,
      recoveryIntervalMs: 5_000,
      waitTimeoutMs: 60_000,
      ...definedOnly(options.saga ?? {}),
      owner: address,
    },
    cluster: {
      heartbeatMs: 2_000,
      suspectAfterBeats: 3,
      eventLimit: 200,
      maxMembers: 1_000,
      livenessCheckMs: 500,
      historyMs: 600_000,
      historySeries: 1_000,
      ...definedOnly(cluster),
      enabled: options.cluster !== false,
      serviceName,
      instanceId,
    },
  };
}

/** An options object without its `undefined` members, so spreading it never erases a default. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
