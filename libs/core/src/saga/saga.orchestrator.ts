import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import { HandlerNotFoundError, TimeoutError } from '../errors/catga-errors.js';
import { CatgaError } from '../errors/catga.error.js';
import { CatgaLifecycle } from '../lifecycle/catga-lifecycle.js';
import { PeerLiveness } from '../liveness/peer-liveness.js';
import { serializeError, toCatgaError } from '../errors/error.serializer.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import { CATGA_SAGA_SETTINGS, CATGA_SAGA_STORE } from '../tokens/catga.tokens.js';
import type { SagaSettings } from './saga-options.interface.js';
import { TERMINAL_SAGA_STATUSES, type SagaState, type SagaStatus } from '../stores/saga/saga-state.js';
import type { SagaStore } from '../stores/saga/saga-store.interface.js';
import { sagaClassOf, sagaNameOf, type SagaClass, type SagaDefinition, type SagaStep, type StepResults } from './saga-definition.js';
import {
  SagaDeadlineExceededError,
  SagaHandedOffError,
  SagaLeaseLostError,
  SagaNotFoundError,
  SagaStateConflictError,
} from './saga-errors.js';
import { backoffDelay, pollWithBackoff } from '../timing/backoff.js';
import { sleep } from '../timing/sleep.js';
import { withTimeout } from '../timing/with-timeout.js';

/**
 * Runs sagas: state persisted before and after every step (compare-and-set), completed steps
 * compensated in reverse on failure, a lease per running saga so another instance resumes it if
 * this one dies (at once when the transport tells it is down, else when the lease expires). A step's command carries `<sagaId>:<step>` as message id (its compensation
 * `<sagaId>:<step>:compensate`), so a step re-run after a crash or a timeout has its effect once.
 */
@Injectable()
export class SagaOrchestrator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CatgaSaga');
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly stepTimeoutMs: number;
  private readonly transientRetryMs: number;
  private readonly compensationAttempts: number;
  private readonly compensationBackoffMs: number;
  private readonly recoveryIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private recovery: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, Promise<SagaState>>();

  constructor(
    private readonly mediator: CatgaMediator,
    @Inject(CATGA_SAGA_STORE) private readonly store: SagaStore,
    @Inject(CATGA_SAGA_SETTINGS) settings: SagaSettings,
    private readonly signals: CatgaSignals,
    private readonly lifecycle: CatgaLifecycle,
    private readonly liveness: PeerLiveness,
  ) {
    ({
      owner: this.owner,
      leaseMs: this.leaseMs,
      stepTimeoutMs: this.stepTimeoutMs,
      transientRetryMs: this.transientRetryMs,
      compensationAttempts: this.compensationAttempts,
      compensationBackoffMs: this.compensationBackoffMs,
      recoveryIntervalMs: this.recoveryIntervalMs,
      waitTimeoutMs: this.waitTimeoutMs,
    } = settings);
  }

  onApplicationBootstrap(): void {
    if (this.recoveryIntervalMs <= 0) return;
    this.recovery = setInterval(
      () => void this.recoverOrphans().catch((e: unknown) => this.logger.warn(`Saga recovery failed: ${String(e)}`)),
      this.recoveryIntervalMs,
    );
    this.recovery.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.recovery) clearInterval(this.recovery);
    // Sagas in hand stop at their next step boundary with the lease released, for another to resume.
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Starts the saga `sagaId` and resolves with its final state. Starting an id again returns the
   * stored outcome, or waits for the instance running it; a saga id never runs twice.
   */
  async start<TData>(saga: SagaClass<TData>, sagaId: string, data: TData): Promise<SagaState<TData>> {
    const definition = new saga();
    const now = Date.now();
    const state: SagaState<TData> = {
      sagaId,
      sagaName: sagaNameOf(saga as unknown as SagaClass),
      status: 'Running',
      version: 0,
      data,
      steps: definition.steps.map((s) => ({ name: s.name, status: 'Pending', attempts: 0 })),
      createdAt: now,
      updatedAt: now,
      ...(definition.deadlineMs ? { deadlineAt: now + definition.deadlineMs } : {}),
    };
    // Created already leased to this instance and with its first step Running: one write, no
    // window in which it is unowned, and none before the first step's action that a resumed saga
    // would have to redo (it finds the step Running and retries it under the same id).
    const first = definition.steps[0];
    if (first) this.begin(state as SagaState, 0, first.name);
    if (!(await this.store.create(state, { owner: this.owner, ttlMs: this.leaseMs })))
      return this.waitForEnd(sagaId, definition as SagaDefinition<unknown>) as Promise<SagaState<TData>>;
    const created = { ...state, version: 1, lease: { owner: this.owner, expiresAt: now + this.leaseMs } } as SagaState;
    return this.drive(sagaId, definition as SagaDefinition<unknown>, created, first ? 0 : -1) as Promise<SagaState<TData>>;
  }

  /**
   * Sends a `Failed` saga back to compensate (its failed compensations' cause was fixed): each
   * step left `CompensationFailed` is compensated again, in a new round with its own message id
   * (the last round's failure is recorded under the old one), and the saga ends `Compensated`, or
   * `Failed` again. Resolves with its final state; where this instance does not define the saga
   * (an operator's tool), with the state as written: its lease free, an instance that defines it
   * resumes it at its next recovery pass.
   */
  async retry(sagaId: string): Promise<SagaState> {
    const { state, definition } = await this.operable(sagaId, 'retried', (s) => s.status === 'Failed', 'only a Failed saga can be retried');
    const next = structuredClone(state);
    for (const step of next.steps) {
      if (step.status !== 'CompensationFailed') continue;
      step.status = 'Compensating';
      step.compensationRound = (step.compensationRound ?? 0) + 1;
    }
    next.status = 'Compensating';
    return this.restart(sagaId, definition, state, next);
  }

  /**
   * Stops a saga that has not ended and compensates it: the completed steps, and the one in
   * progress, whose action may or may not have happened (compensations must tolerate both). A
   * live instance driving it loses it: its next write is refused and its caller gets the outcome.
   * Resolves with the final state, `Compensated` or `Failed`; where this instance does not define
   * the saga, with the state as written, for an instance that defines it to resume.
   */
  async abort(sagaId: string, reason = 'aborted by an operator'): Promise<SagaState> {
    const { state, definition } = await this.operable(
      sagaId,
      'aborted',
      (s) => !TERMINAL_SAGA_STATUSES.includes(s.status),
      'it has ended',
      true,
    );
    const next = structuredClone(state);
    for (const step of next.steps) if (step.status === 'Running') step.status = 'Compensating';
    next.status = 'Compensating';
    next.error ??= serializeError(new SagaStateConflictError(`Saga ${sagaId} ${reason}`));
    return this.restart(sagaId, definition, state, next);
  }

  /**
   * The saga, its definition (absent when this instance does not define it) and its lease, when
   * `applies`; `takeOver`: from whoever holds it.
   */
  private async operable(
    sagaId: string,
    what: string,
    applies: (state: SagaState) => boolean,
    otherwise: string,
    takeOver = false,
  ): Promise<{ state: SagaState; definition: SagaDefinition<unknown> | undefined }> {
    const state = await this.store.get(sagaId);
    if (!state) throw new SagaNotFoundError(`No saga ${sagaId}`);
    if (!applies(state)) throw new SagaStateConflictError(`Saga ${sagaId} cannot be ${what}: it is ${state.status}, and ${otherwise}`);
    const holder = takeOver && state.lease && state.lease.owner !== this.owner ? state.lease.owner : undefined;
    if (!(await this.store.acquireLease(sagaId, this.owner, this.leaseMs, holder))) {
      throw new SagaStateConflictError(`Saga ${sagaId} cannot be ${what}: another instance holds it`);
    }
    const saga = sagaClassOf(state.sagaName);
    return { state, definition: saga && (new saga() as SagaDefinition<unknown>) };
  }

  /**
   * Writes `next` over `state` (compare-and-set) and drives it from there; without the definition,
   * writes it with the lease released, for an instance that defines the saga to resume.
   */
  private async restart(
    sagaId: string,
    definition: SagaDefinition<unknown> | undefined,
    state: SagaState,
    next: SagaState,
  ): Promise<SagaState> {
    next.updatedAt = Date.now();
    if (!(await this.store.update(next, state.version, definition ? undefined : this.owner))) {
      await this.store.releaseLease(sagaId, this.owner).catch(() => undefined);
      throw new SagaStateConflictError(`Saga ${sagaId} changed while it was being restarted; look again`);
    }
    this.signals.emit('sagaStatus', { sagaName: next.sagaName, sagaId, status: next.status, previous: state.status });
    if (!definition) {
      this.logger.log(`Saga ${next.sagaName} ${sagaId} handed to the instances that define it, ${next.status}`);
      const handed = { ...next, version: state.version + 1 };
      delete handed.lease;
      return handed;
    }
    const known = { ...next, version: state.version + 1, lease: { owner: this.owner, expiresAt: Date.now() + this.leaseMs } };
    return this.drive(sagaId, definition, known);
  }

  /** Sagas this instance is driving right now. */
  get activeCount(): number {
    return this.running.size;
  }

  status(sagaId: string): Promise<SagaState | undefined> {
    return this.store.get(sagaId);
  }

  counts(): Promise<Record<SagaStatus, number>> {
    return this.store.countByStatus();
  }

  /**
   * Takes over sagas whose instance stopped renewing their lease, or is down (killed, frozen, cut
   * off: asked of the transport), and drives them to an end.
   */
  async recoverOrphans(limit = 100): Promise<number> {
    let resumed = 0;
    const ownerIsDown = this.liveness.enabled ? (owner: string) => this.liveness.isDown(owner) : undefined;
    for (const sagaId of await this.store.findOrphaned(Date.now(), limit, ownerIsDown)) {
      if (this.running.has(sagaId)) continue;
      const state = await this.store.get(sagaId);
      const saga = state && sagaClassOf(state.sagaName);
      if (!saga) continue;
      if (!(await this.store.acquireLease(sagaId, this.owner, this.leaseMs, await this.downHolder(state)))) continue;
      // Taken up here meanwhile (a drive waiting for its end took it): one drive per saga per instance.
      if (this.running.has(sagaId)) continue;
      resumed++;
      this.logger.log(`Resuming saga ${state.sagaName} ${sagaId} from ${state.status}`);
      void this.drive(sagaId, new saga() as SagaDefinition<unknown>).catch((e: unknown) =>
        this.logger.warn(`Saga ${sagaId}: ${String(e)}`),
      );
    }
    return resumed;
  }

  /** `prepared`: the step `known` already records as begun (Running, persisted), -1 for none. */
  private drive(sagaId: string, definition: SagaDefinition<unknown>, known?: SagaState, prepared = -1): Promise<SagaState> {
    // A saga restarted here (retry, abort) while an earlier drive of it winds down: each removes only itself.
    const leave = () => {
      if (this.running.get(sagaId) === run) this.running.delete(sagaId);
    };
    const run: Promise<SagaState> = this.execute(sagaId, definition, known, prepared, leave).finally(leave);
    this.running.set(sagaId, run);
    return run;
  }

  /** Drives the saga from its stored state (`known`: the state this instance just created). */
  private async execute(
    sagaId: string,
    definition: SagaDefinition<unknown>,
    known: SagaState | undefined,
    prepared: number,
    /** Says this drive no longer drives the saga, so this instance may take it up again. */
    leave: () => void,
  ): Promise<SagaState> {
    const renew = setInterval(
      () => void this.store.acquireLease(sagaId, this.owner, this.leaseMs).catch(() => undefined),
      this.leaseMs / 3,
    );
    renew.unref();
    let released = false;
    try {
      let state = known ?? (await this.store.get(sagaId))!;
      let status = state.status;
      this.signals.emit('sagaStatus', { sagaName: state.sagaName, sagaId, status });
      const save = async (next: SagaState): Promise<SagaState> => {
        next.updatedAt = Date.now();
        // The saga's last write also gives its lease back: no separate release.
        const last = TERMINAL_SAGA_STATUSES.includes(next.status);
        if (!(await this.store.update(next, state.version, last ? this.owner : undefined)))
          throw new SagaLeaseLostError(`Saga ${sagaId} was changed by another instance`);
        if (last) released = true;
        state = { ...next, version: state.version + 1 };
        if (state.status !== status) {
          this.signals.emit('sagaStatus', { sagaName: state.sagaName, sagaId, status: state.status, previous: status });
          status = state.status;
        }
        return state;
      };
      if (state.status === 'Running') state = await this.forward(state, definition, save, prepared);
      if (state.status === 'Compensating') state = await this.backward(state, definition, save);
      return state;
    } catch (error) {
      // Another writer moved the saga on: the lease is theirs, or that of a restart here, and not
      // this drive's to release. Where it was handed over with its lease free (an operator's retry
      // or abort from an instance that does not define it), this instance may be the one to drive
      // it on: it stops counting as driving it, and waits for the end or takes it up.
      if (error instanceof SagaLeaseLostError) {
        released = true;
        leave();
        return this.waitForEnd(sagaId, definition);
      }
      // The lease is released in `finally`: the next recovery pass of another instance resumes it.
      if (error instanceof SagaHandedOffError) return (await this.store.get(sagaId))!;
      throw error;
    } finally {
      clearInterval(renew);
      if (!released) await this.store.releaseLease(sagaId, this.owner).catch(() => undefined);
    }
  }

  private async forward(
    state: SagaState,
    definition: SagaDefinition<unknown>,
    save: (s: SagaState) => Promise<SagaState>,
    begun: number,
  ): Promise<SagaState> {
    // The write that records a step's outcome also marks the next step Running (and the last one
    // the saga Completed): one write per step boundary, persisted before and after every step.
    let prepared = begun;
    for (let i = 0; i < definition.steps.length; i++) {
      const step = definition.steps[i]!;
      if (state.steps[i]!.status === 'Completed') continue;
      if (state.deadlineAt !== undefined && Date.now() > state.deadlineAt) {
        return this.fail(state, i, new SagaDeadlineExceededError(`Saga ${state.sagaId} passed its deadline before ${step.name}`), save);
      }
      if (prepared !== i) {
        // Persisted before the action: a resumed saga finds the step Running and retries it with the same id.
        this.begin(state, i, step.name);
        state = await save(state);
      }
      try {
        const result = await this.actThroughFaults(step, state, i);
        const done = state.steps[i]!;
        done.status = 'Completed';
        done.result = result ?? null;
        done.finishedAt = Date.now();
        const nextIndex = i + 1;
        if (nextIndex === definition.steps.length) state.status = 'Completed';
        else if (state.deadlineAt === undefined || Date.now() <= state.deadlineAt) {
          this.begin(state, nextIndex, definition.steps[nextIndex]!.name);
          prepared = nextIndex;
        }
        state = await save(state);
      } catch (error) {
        if (error instanceof SagaLeaseLostError || error instanceof SagaHandedOffError) throw error;
        return this.fail(state, i, error, save);
      }
    }
    if (state.status !== 'Completed') {
      state.status = 'Completed';
      state = await save(state);
    }
    return state;
  }

  /**
   * Runs a step's action; an infrastructure failure (see `isTransient`) is retried with the same
   * message id, so its effect happens once, until the saga's deadline or `transientRetryMs` after
   * the step's first attempt. What comes back then (a business error, or the last failure) fails
   * the step. A draining instance stops retrying and hands the saga over, its step still Running.
   */
  private async actThroughFaults(step: SagaStep<unknown>, state: SagaState, index: number): Promise<unknown> {
    const record = state.steps[index]!;
    const retryUntil = state.deadlineAt ?? (record.startedAt ?? Date.now()) + this.transientRetryMs;
    for (let retry = 1; ; retry++) {
      try {
        return await this.act(step, state, record.messageId!, step.timeoutMs ?? this.stepTimeoutMs);
      } catch (error) {
        if (!isTransient(error)) throw error;
        // Local work past its time limit may still be running: running it again could apply it twice.
        if (step.run && stepTimeouts.has(error as object)) throw error;
        if (this.lifecycle.draining)
          throw new SagaHandedOffError(`Saga ${state.sagaId} handed over at ${step.name}: this instance is draining`);
        const pause = backoffDelay(retry, { initialMs: 50, maxMs: 1_000 });
        if (Date.now() + pause > retryUntil) throw error;
        this.logger.warn(`Saga ${state.sagaId}: ${step.name} met ${(error as CatgaError).code}; retrying with the same id`);
        record.attempts++;
        await sleep(pause);
      }
    }
  }

  private begin(state: SagaState, index: number, name: string): void {
    const record = state.steps[index]!;
    record.status = 'Running';
    record.attempts++;
    record.startedAt ??= Date.now();
    record.messageId = `${state.sagaId}:${name}`;
  }

  private async fail(state: SagaState, index: number, error: unknown, save: (s: SagaState) => Promise<SagaState>): Promise<SagaState> {
    const record = state.steps[index]!;
    record.status = 'Failed';
    record.error = serializeError(error, record.messageId);
    record.finishedAt = Date.now();
    state.error = record.error;
    state.status = 'Compensating';
    return save(state);
  }

  private async backward(
    state: SagaState,
    definition: SagaDefinition<unknown>,
    save: (s: SagaState) => Promise<SagaState>,
  ): Promise<SagaState> {
    let failed = false;
    for (let i = definition.steps.length - 1; i >= 0; i--) {
      const step = definition.steps[i]!;
      const record = state.steps[i]!;
      if (record.status !== 'Completed' && record.status !== 'Compensating') continue;
      if (!step.compensate && !step.compensateWith) continue;
      record.status = 'Compensating';
      state = await save(state);
      const round = record.compensationRound;
      const messageId = `${state.sagaId}:${step.name}:compensate${round ? `:${round}` : ''}`;
      try {
        await retry(handleAll, {
          maxAttempts: Math.max(0, this.compensationAttempts - 1),
          backoff: new ExponentialBackoff({ initialDelay: this.compensationBackoffMs, maxDelay: 10_000 }),
        }).execute(() => this.undo(step, state, messageId));
        state.steps[i]!.status = 'Compensated';
      } catch (error) {
        failed = true;
        state.steps[i]!.status = 'CompensationFailed';
        state.steps[i]!.error = serializeError(error, messageId);
        state.error = state.steps[i]!.error;
        this.logger.error(
          `Saga ${state.sagaId}: compensation of ${step.name} failed after ${this.compensationAttempts} attempts: ${toCatgaError(error).message}`,
        );
      }
      state = await save(state);
    }
    state.status = failed ? 'Failed' : 'Compensated';
    return save(state);
  }

  private act(step: SagaStep<unknown>, state: SagaState, messageId: string, timeoutMs: number): Promise<unknown> {
    const operation = { name: 'saga.step', sagaName: state.sagaName, sagaId: state.sagaId, step: step.name, messageId } as const;
    return this.signals.run(operation, () => {
      const results = resultsOf(state);
      const work = step.send
        ? this.mediator.send(step.send(state.data, results), { messageId, timeoutMs, correlationId: state.sagaId })
        : step.run!(state.data, results);
      return withTimeout(work, timeoutMs, () => {
        const error = new TimeoutError(`Saga step ${step.name} of ${state.sagaId} did not finish within ${timeoutMs} ms`, { messageId });
        stepTimeouts.add(error);
        return error;
      });
    });
  }

  private undo(step: SagaStep<unknown>, state: SagaState, messageId: string): Promise<unknown> {
    const operation = { name: 'saga.compensation', sagaName: state.sagaName, sagaId: state.sagaId, step: step.name, messageId } as const;
    return this.signals.run(operation, () => {
      const results = resultsOf(state);
      if (step.compensateWith)
        return this.mediator.send(step.compensateWith(state.data, results), { messageId, correlationId: state.sagaId });
      return step.compensate!(state.data, results);
    });
  }

  /** The holder of `state`'s live lease when it is down (so the lease may be taken from it), else `undefined`. */
  private async downHolder(state: SagaState): Promise<string | undefined> {
    const lease = state.lease;
    if (!lease || lease.owner === this.owner || lease.expiresAt <= Date.now()) return undefined;
    return (await this.liveness.isDown(lease.owner)) ? lease.owner : undefined;
  }

  /**
   * Waits for the saga another instance runs to end. With its `definition` (a repeated `start`),
   * takes it over when that instance is down or its lease lapsed, and drives it here.
   */
  private async waitForEnd(sagaId: string, definition?: SagaDefinition<unknown>): Promise<SagaState> {
    let last: SagaState | undefined;
    const ended = await pollWithBackoff(
      async () => {
        last = await this.store.get(sagaId);
        if (!last || TERMINAL_SAGA_STATUSES.includes(last.status)) return last && { state: last };
        if (!definition || this.running.has(sagaId)) return undefined;
        const lease = last.lease;
        const free = !lease || lease.expiresAt <= Date.now();
        const from = free ? undefined : await this.downHolder(last);
        if (!free && from === undefined) return undefined;
        if (!(await this.store.acquireLease(sagaId, this.owner, this.leaseMs, from))) return undefined;
        if (this.running.has(sagaId)) return undefined;
        this.logger.log(`Taking over saga ${last.sagaName} ${sagaId} from ${lease?.owner ?? 'nobody'}`);
        return { driven: this.drive(sagaId, definition) };
      },
      Date.now() + this.waitTimeoutMs,
      { initialMs: 20, maxMs: this.liveness.recheckMs ?? 500 },
    );
    if (ended?.driven) return ended.driven;
    if (ended?.state) return ended.state;
    throw new TimeoutError(`Saga ${sagaId} did not finish within ${this.waitTimeoutMs} ms (status ${last?.status ?? 'unknown'})`);
  }
}

function resultsOf(state: SagaState): StepResults {
  return Object.fromEntries(state.steps.filter((s) => s.status === 'Completed' || s.result !== undefined).map((s) => [s.name, s.result]));
}

/** The timeouts `act` raised itself: the attempt they end may still be running. */
const stepTimeouts = new WeakSet<object>();

/**
 * A failure of the infrastructure, not of the business: a retryable Catga error (a timeout, a
 * store or transport unreachable, a replica shutting down, an open circuit, a lost race), or no
 * handler reachable right now (a service restarting). The lease's loss is not one: it stops the
 * saga here.
 */
function isTransient(error: unknown): boolean {
  if (error instanceof SagaLeaseLostError) return false;
  return error instanceof CatgaError && (error.retryable || error.code === HandlerNotFoundError.code);
}
