import type { SerializedError } from '../../errors/error.serializer.js';

export type SagaStatus = 'Pending' | 'Running' | 'Compensating' | 'Completed' | 'Compensated' | 'Failed';

export type SagaStepStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Compensating' | 'Compensated' | 'CompensationFailed';

export interface SagaStepState {
  name: string;
  status: SagaStepStatus;
  /** The message id the step's action was sent with; a retry reuses it. */
  messageId?: string;
  result?: unknown;
  error?: SerializedError;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  /**
   * How many times a person sent the saga back to compensate this step (`SagaOrchestrator.retry`):
   * each round compensates under its own message id, since the last one's failure is recorded under its id.
   */
  compensationRound?: number;
}

export interface SagaLease {
  owner: string;
  expiresAt: number;
}

export interface SagaState<TData = unknown> {
  sagaId: string;
  sagaName: string;
  status: SagaStatus;
  /** Bumped by every successful update; updates compare it (compare-and-set). */
  version: number;
  data: TData;
  steps: SagaStepState[];
  error?: SerializedError;
  lease?: SagaLease;
  createdAt: number;
  updatedAt: number;
  deadlineAt?: number;
}

export const TERMINAL_SAGA_STATUSES: readonly SagaStatus[] = ['Completed', 'Compensated', 'Failed'];
