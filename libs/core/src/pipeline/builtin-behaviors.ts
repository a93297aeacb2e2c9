import type { CatgaModuleOptions } from '../module/catga-options.interface.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import type { OutboxPublisher } from '../outbox/outbox.publisher.js';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import { CircuitBreakerBehavior } from './behaviors/circuit-breaker.behavior.js';
import { IdempotencyBehavior } from './behaviors/idempotency.behavior.js';
import { LoggingBehavior } from './behaviors/logging.behavior.js';
import { OutboxBehavior } from './behaviors/outbox.behavior.js';
import { RetryBehavior } from './behaviors/retry.behavior.js';
import { TimeoutBehavior } from './behaviors/timeout.behavior.js';
import { ValidationBehavior } from './behaviors/validation.behavior.js';
import { BehaviorOrder, type OrderedBehavior } from './pipeline-behavior.interface.js';

/** The built-in behaviors the options ask for, at their fixed positions. */
export async function buildBuiltinBehaviors(
  options: CatgaModuleOptions,
  instanceId: string,
  idempotencyStore: IdempotencyStore,
  outbox: OutboxPublisher,
  signals?: CatgaSignals,
): Promise<OrderedBehavior[]> {
  const out: OrderedBehavior[] = [{ order: BehaviorOrder.outbox, behavior: new OutboxBehavior(outbox) }];
  if (options.pipeline === 'minimal') return out;
  const p = options.pipeline ?? {};
  if (p.logging !== false) out.push({ order: BehaviorOrder.logging, behavior: new LoggingBehavior() });
  if (p.validation !== false) {
    const validation = await ValidationBehavior.create();
    if (validation.enabled) out.push({ order: BehaviorOrder.validation, behavior: validation });
  }
  if (p.timeout !== false) {
    const t = p.timeout;
    const settings = typeof t === 'number' ? { timeoutMs: t } : (t ?? { timeoutMs: 30_000 });
    out.push({ order: BehaviorOrder.timeout, behavior: new TimeoutBehavior(settings) });
  }
  if (p.idempotency !== false) {
    const settings = typeof p.idempotency === 'object' ? p.idempotency : {};
    out.push({ order: BehaviorOrder.idempotency, behavior: new IdempotencyBehavior(idempotencyStore, instanceId, settings) });
  }
  if (p.circuitBreaker !== false) {
    out.push({ order: BehaviorOrder.circuitBreaker, behavior: new CircuitBreakerBehavior(p.circuitBreaker ?? {}, signals) });
  }
  if (p.retry !== false) out.push({ order: BehaviorOrder.retry, behavior: new RetryBehavior(p.retry ?? {}, signals) });
  return out;
}
