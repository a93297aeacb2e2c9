import type { Command, Query } from '@nestjs/cqrs';

/** Results of the steps done so far, by step name. */
export type StepResults = Readonly<Record<string, unknown>>;

type Message = Command<unknown> | Query<unknown> | object;

export interface SagaStepOptions<TData> {
  /** A command (or query) sent through the mediator, so it may run in another service. */
  send?: (data: TData, results: StepResults) => Message;
  /** Or work done here. */
  run?: (data: TData, results: StepResults) => Promise<unknown>;
  /** Compensation: a command sent through the mediator… */
  compensateWith?: (data: TData, results: StepResults) => Message;
  /** …or work done here. */
  compensate?: (data: TData, results: StepResults) => Promise<unknown>;
  /** Time limit of one attempt of the action, in ms. Default: the orchestrator's `stepTimeoutMs`. */
  timeoutMs?: number;
}

export interface SagaStep<TData> extends SagaStepOptions<TData> {
  readonly name: string;
}

const SAGA_NAME = Symbol.for('catga.saga-name');
const byName = new Map<string, SagaClass>();

export type SagaClass<TData = unknown> = new () => SagaDefinition<TData>;

/**
 * A distributed transaction: ordered steps, each an action and an optional compensation.
 * Subclass it, give it a stable name with `@SagaWorkflow('orders.fulfilment')`, list `steps`.
 */
export abstract class SagaDefinition<TData> {
  abstract readonly steps: ReadonlyArray<SagaStep<TData>>;
  /** Overall deadline from start, in ms; past it a step that has not begun is treated as failed. */
  readonly deadlineMs?: number;

  protected step(name: string, options: SagaStepOptions<TData>): SagaStep<TData> {
    if (!options.send === !options.run) throw new Error(`Saga step "${name}" needs exactly one of send or run`);
    return { name, ...options };
  }
}

/** The stable name a saga's state is stored under; distinct from @nestjs/cqrs's RxJS `@Saga()`. */
export function SagaWorkflow(name: string): ClassDecorator {
  return (target) => {
    const existing = byName.get(name);
    if (existing && existing !== (target as unknown as SagaClass))
      throw new Error(`Saga name "${name}" is already used by ${existing.name}`);
    Object.defineProperty(target, SAGA_NAME, { value: name });
    byName.set(name, target as unknown as SagaClass);
  };
}

export function sagaNameOf(saga: SagaClass): string {
  const name = (saga as unknown as { [SAGA_NAME]?: string })[SAGA_NAME];
  if (!name) throw new Error(`${saga.name} has no @SagaWorkflow(name)`);
  return name;
}

export function sagaClassOf(name: string): SagaClass | undefined {
  return byName.get(name);
}
