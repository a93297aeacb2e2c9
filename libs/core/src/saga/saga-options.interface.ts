export interface SagaOptions {
  /** Lease on a running saga, renewed while it runs; another instance resumes it after this. Default 10000. */
  leaseMs?: number;
  /** Time limit of a step attempt unless the step says otherwise, in ms. Default 30000. */
  stepTimeoutMs?: number;
  /**
   * How long a step keeps retrying an infrastructure failure (a timeout, a store or transport
   * unreachable, a service restarting or with no replica up, an open circuit: a retryable error
   * or `HANDLER_NOT_FOUND`) with the same message id, in ms from the step's first attempt, when
   * the saga has no deadline of its own (with one, until the deadline). Only a business error or
   * this window exhausted compensates. Default 30000.
   */
  transientRetryMs?: number;
  /** Attempts per compensation before the saga is left `Failed`. Default 5. */
  compensationAttempts?: number;
  /** First backoff between compensation attempts, in ms (exponential, jittered). Default 100. */
  compensationBackoffMs?: number;
  /** How often an instance looks for sagas whose lease expired, in ms. Default 5000; 0 turns it off. */
  recoveryIntervalMs?: number;
  /** How long `start` waits for a saga another instance is running, in ms. Default 60000. */
  waitTimeoutMs?: number;
}

/** The saga options with their defaults applied, and who this instance is as a lease owner. */
export type SagaSettings = Readonly<Required<SagaOptions>> & {
  /** `<service>:<instance>`: the owner written on the leases this instance takes. */
  readonly owner: string;
};
