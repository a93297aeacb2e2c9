import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { MessageContext } from '../../context/message-context.js';
import { CircuitOpenError } from '../../errors/catga-errors.js';
import { isDeclaredOutcome } from '../../errors/error.serializer.js';
import type { CatgaSignals, CircuitStateName } from '../../signals/catga-signals.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit of a message type. Default 5. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial handling is let through, in ms. Default 10000. */
  readonly halfOpenAfterMs: number;
}

export type CircuitBreakerBehaviorOptions = Partial<CircuitBreakerSettings>;

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One circuit per message type. Failures that say nothing about the handler's health (outcomes:
 * `CatgaError`s and `@ErrorCode` classes that are not retryable, `HttpException`s below 500) do
 * not count toward opening it.
 */
export class CircuitBreakerBehavior implements PipelineBehavior {
  private readonly circuits = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly signals?: CatgaSignals,
  ) {}

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const type = context.envelope.type;
    try {
      return await this.circuit(type).execute(() => next());
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CircuitOpenError(`The circuit for ${type} is open after repeated failures`, {
          messageId: context.envelope.id,
        });
      }
      throw error;
    }
  }

  private circuit(type: string): CircuitBreakerPolicy {
    let circuit = this.circuits.get(type);
    if (!circuit) {
      circuit = circuitBreaker(
        handleWhen((error) => !isDeclaredOutcome(error)),
        {
          halfOpenAfter: this.settings.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(this.settings.failureThreshold),
        },
      );
      if (this.signals) {
        const signals = this.signals;
        circuit.onStateChange((state) => signals.emit('circuit', { type, state: STATE_NAMES[state] }));
      }
      this.circuits.set(type, circuit);
    }
    return circuit;
  }
}
