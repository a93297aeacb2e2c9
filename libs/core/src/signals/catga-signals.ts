import type { Envelope } from '../envelope/envelope.js';
import { EnvelopeEnrichers, type EnvelopeEnricher } from '../envelope/envelope-enrichers.js';
import type { SagaStatus } from '../stores/saga/saga-state.js';
import type { SerializedError } from '../errors/error.serializer.js';

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

/** What Catga tells observers (metrics, tracing) about, beyond the handlings the pipeline sees. */
export interface CatgaSignalMap {
  /** An event was accepted by the transport. */
  published: { envelope: Envelope };
  /** A saga this instance drives changed status (`previous` absent when it starts or resumes here). */
  sagaStatus: { sagaName: string; sagaId: string; status: SagaStatus; previous?: SagaStatus };
  /** An event exhausted its deliveries here and went to the dead letters. */
  deadLettered: { type: string; group: string; messageId?: string; deliveries: number; error: SerializedError };
  /** An event the transport refused for good was parked in the outbox with the reason (`OutboxStore.parked`). */
  outboxParked: { type: string; messageId: string; error: SerializedError };
  /** The transport's connection went down or came up (`reconnected` when up again after a loss). */
  connection: { transport: string; connected: boolean; reconnected: boolean; server?: string };
  /** The circuit of a message type changed state. */
  circuit: { type: string; state: CircuitStateName };
}

/**
 * Work Catga does for a caller that an observer may wrap (tracing makes each a span): a send, a
 * publish, a retry attempt inside a handling, a saga step or compensation.
 */
export type Operation =
  | { name: 'send' | 'publish'; envelope: Envelope }
  | { name: 'retry'; envelope: Envelope; attempt: number }
  | { name: 'saga.step' | 'saga.compensation'; sagaName: string; sagaId: string; step: string; messageId: string };

/** Runs `work` inside the operation and returns its outcome unchanged. */
export type OperationWrapper = <T>(operation: Operation, work: () => Promise<T>) => Promise<T>;

type Listener<K extends keyof CatgaSignalMap> = (signal: CatgaSignalMap[K]) => void;

/**
 * A small synchronous signal hub, and the place operations are wrapped; a failing listener never
 * disturbs message handling. With no wrapper registered an operation costs one branch.
 */
export class CatgaSignals {
  private readonly listeners: { [K in keyof CatgaSignalMap]: Set<Listener<K>> } = {
    published: new Set(),
    sagaStatus: new Set(),
    deadLettered: new Set(),
    outboxParked: new Set(),
    connection: new Set(),
    circuit: new Set(),
  };
  private wrapper: OperationWrapper | undefined;
  /** What adds headers to every envelope this application creates. */
  readonly enrichers = new EnvelopeEnrichers();

  /** Adds headers to every envelope this application creates from now on; returns a function that stops it. */
  enrichEnvelopes(enricher: EnvelopeEnricher): () => void {
    return this.enrichers.add(enricher);
  }

  on<K extends keyof CatgaSignalMap>(kind: K, listener: Listener<K>): () => void {
    const set = this.listeners[kind] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof CatgaSignalMap>(kind: K, signal: CatgaSignalMap[K]): void {
    for (const listener of this.listeners[kind] as Set<Listener<K>>) {
      try {
        listener(signal);
      } catch {
        // Observers must not break the flow they observe.
      }
    }
  }

  /** Wraps every operation from now on (one wrapper; a second one nests outside the first). */
  wrapOperations(wrapper: OperationWrapper): () => void {
    const inner = this.wrapper;
    this.wrapper = inner ? (op, work) => wrapper(op, () => inner(op, work)) : wrapper;
    return () => {
      this.wrapper = inner;
    };
  }

  /** Runs `work` as `operation`, inside the registered wrapper if any. */
  run<T>(operation: Operation, work: () => Promise<T>): Promise<T> {
    return this.wrapper ? this.wrapper(operation, work) : work();
  }

  get wrapsOperations(): boolean {
    return this.wrapper !== undefined;
  }
}
