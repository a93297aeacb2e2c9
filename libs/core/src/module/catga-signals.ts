import type { Envelope } from '../envelope/envelope.js';
import type { SagaStatus } from '../stores/saga/saga-state.js';

/** What Catga tells observers (metrics, tracing) about, beyond the handlings the pipeline sees. */
export interface CatgaSignalMap {
  /** An event was accepted by the transport. */
  published: { envelope: Envelope };
  /** A saga this instance drives changed status (`previous` absent when it starts or resumes here). */
  sagaStatus: { sagaName: string; sagaId: string; status: SagaStatus; previous?: SagaStatus };
}

type Listener<K extends keyof CatgaSignalMap> = (signal: CatgaSignalMap[K]) => void;

/** A small synchronous signal hub; a failing listener never disturbs message handling. */
export class CatgaSignals {
  private readonly listeners: { [K in keyof CatgaSignalMap]: Set<Listener<K>> } = { published: new Set(), sagaStatus: new Set() };

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
}
