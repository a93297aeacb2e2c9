import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CatgaModule } from '../module/catga.module.js';
import type { SagaState } from '../stores/saga/saga-state.js';
import { SagaDefinition, sagaNameOf, SagaWorkflow, type SagaClass, type SagaStep, type StepResults } from '../saga/saga-definition.js';
import { SagaOrchestrator } from '../saga/saga.orchestrator.js';

export interface SagaHarnessRun<TData> {
  state: SagaState<TData>;
  /** Step actions in the order they ran (a failed one included). */
  actions: string[];
  /** Compensations in the order they ran. */
  compensations: string[];
  /** The messages `send` steps would have sent, by step name. */
  sent: Record<string, object>;
}

let harnessSequence = 0;

/**
 * Runs a saga with the real orchestrator on in-memory parts, without the services its steps talk
 * to: `send` steps record their message and return the result you give (`respond`), and any step
 * can be made to fail (`failAt`) or to hang past its time limit (`timeOutAt`).
 *
 *   const run = await new SagaHarness(OrderSaga).failAt('reserve-inventory').run('o-1', data);
 *   assert.deepEqual(run.compensations, ['charge-payment']);
 */
export class SagaHarness<TData> {
  private readonly failures = new Map<string, Error>();
  private readonly timeouts = new Set<string>();
  private readonly responses = new Map<string, unknown>();
  private readonly compensationFailures = new Map<string, number>();

  constructor(private readonly saga: SagaClass<TData>) {}

  failAt(step: string, error: Error = new Error(`${step} failed (harness)`)): this {
    this.failures.set(step, error);
    return this;
  }

  timeOutAt(step: string): this {
    this.timeouts.add(step);
    return this;
  }

  /** The result a `send` step gets back. */
  respond(step: string, result: unknown): this {
    this.responses.set(step, result);
    return this;
  }

  /** Makes a compensation fail `times` times before succeeding (more than the attempts: it never does). */
  failCompensation(step: string, times = Number.MAX_SAFE_INTEGER): this {
    this.compensationFailures.set(step, times);
    return this;
  }

  async run(
    sagaId: string,
    data: TData,
    options: { stepTimeoutMs?: number; compensationAttempts?: number } = {},
  ): Promise<SagaHarnessRun<TData>> {
    const run: Omit<SagaHarnessRun<TData>, 'state'> = { actions: [], compensations: [], sent: {} };
    const original = new this.saga();
    const wrapped = original.steps.map((step) => this.wrap(step, run));
    const name = `${sagaNameOf(this.saga as unknown as SagaClass)}.harness-${++harnessSequence}`;

    @SagaWorkflow(name)
    class HarnessSaga extends SagaDefinition<TData> {
      readonly steps = wrapped;
      override readonly deadlineMs = original.deadlineMs;
    }

    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'saga-harness',
          saga: {
            stepTimeoutMs: options.stepTimeoutMs ?? 50,
            compensationAttempts: options.compensationAttempts ?? 3,
            compensationBackoffMs: 1,
            recoveryIntervalMs: 0,
          },
        }),
      ],
    })
    class SagaHarnessModule {}

    const app: INestApplicationContext = await NestFactory.createApplicationContext(SagaHarnessModule, { logger: false });
    try {
      await app.init();
      const state = await app.get(SagaOrchestrator).start(HarnessSaga, sagaId, data);
      return { state, ...run };
    } finally {
      await app.close();
    }
  }

  private wrap(step: SagaStep<TData>, run: Omit<SagaHarnessRun<TData>, 'state'>): SagaStep<TData> {
    const hasCompensation = step.compensate !== undefined || step.compensateWith !== undefined;
    return {
      name: step.name,
      timeoutMs: step.timeoutMs,
      run: async (data: TData, results: StepResults) => {
        run.actions.push(step.name);
        if (this.timeouts.has(step.name)) return new Promise<never>(() => undefined);
        const failure = this.failures.get(step.name);
        if (failure) throw failure;
        if (step.send) {
          run.sent[step.name] = step.send(data, results);
          return this.responses.get(step.name);
        }
        return step.run!(data, results);
      },
      ...(hasCompensation
        ? {
            compensate: async (data: TData, results: StepResults) => {
              run.compensations.push(step.name);
              const left = this.compensationFailures.get(step.name) ?? 0;
              if (left > 0) {
                this.compensationFailures.set(step.name, left - 1);
                throw new Error(`compensation of ${step.name} failed (harness)`);
              }
              if (step.compensateWith) {
                run.sent[`${step.name}:compensate`] = step.compensateWith(data, results);
                return undefined;
              }
              return step.compensate!(data, results);
            },
          }
        : {}),
    };
  }
}
