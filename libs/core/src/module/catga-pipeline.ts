import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { HandlingContext } from '../context/message-context.js';
import type { PeerLiveness } from '../liveness/peer-liveness.js';
import type { OutboxPublisher } from '../outbox/outbox.publisher.js';
import { behaviorOptionsOf } from '../pipeline/behavior.decorator.js';
import { CircuitBreakerBehavior } from '../pipeline/behaviors/circuit-breaker.behavior.js';
import { IdempotencyBehavior } from '../pipeline/behaviors/idempotency.behavior.js';
import { LoggingBehavior } from '../pipeline/behaviors/logging.behavior.js';
import { OutboxBehavior } from '../pipeline/behaviors/outbox.behavior.js';
import { RetryBehavior } from '../pipeline/behaviors/retry.behavior.js';
import { TimeoutBehavior } from '../pipeline/behaviors/timeout.behavior.js';
import { ValidationBehavior } from '../pipeline/behaviors/validation.behavior.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { BehaviorOrder, type OrderedBehavior, type PipelineBehavior } from '../pipeline/pipeline-behavior.interface.js';
import type { CatgaSignals } from '../signals/catga-signals.js';
import type { IdempotencyStore } from '../stores/idempotency/idempotency-store.interface.js';
import { CATGA_BUILTIN_BEHAVIORS, CATGA_MODULE_OPTIONS } from '../tokens/catga.tokens.js';
import type { CatgaModuleOptions } from './catga-options.interface.js';
import type { PipelineSettings } from './catga-settings.js';

type Builtin = OrderedBehavior<HandlingContext>;

/** The built-in behaviors the settings switch on, at their fixed positions. */
export async function createBuiltinBehaviors(
  settings: PipelineSettings,
  liveness: PeerLiveness,
  idempotencyStore: IdempotencyStore,
  outbox: OutboxPublisher,
  signals: CatgaSignals,
): Promise<Builtin[]> {
  const out: Builtin[] = [{ order: BehaviorOrder.outbox, behavior: new OutboxBehavior(outbox) }];
  if (settings.logging) out.push({ order: BehaviorOrder.logging, behavior: new LoggingBehavior() });
  if (settings.validation) {
    const validation = await ValidationBehavior.create();
    if (validation.enabled) out.push({ order: BehaviorOrder.validation, behavior: validation });
  }
  if (settings.timeout) out.push({ order: BehaviorOrder.timeout, behavior: new TimeoutBehavior(settings.timeout) });
  if (settings.idempotency) {
    out.push({
      order: BehaviorOrder.idempotency,
      behavior: new IdempotencyBehavior(idempotencyStore, liveness, settings.idempotency, outbox.savesWith(idempotencyStore)),
    });
  }
  if (settings.circuitBreaker) {
    out.push({ order: BehaviorOrder.circuitBreaker, behavior: new CircuitBreakerBehavior(settings.circuitBreaker, signals) });
  }
  if (settings.retry) out.push({ order: BehaviorOrder.retry, behavior: new RetryBehavior(settings.retry, signals) });
  return out;
}

/**
 * The application's one pipeline: the built-ins, the behavior instances given in the options and
 * every `@Behavior()` provider, composed on first use (every provider exists by then) and never
 * replaced, so nothing handled runs with a partial chain.
 */
@Injectable()
export class CatgaPipeline {
  private built: Pipeline | undefined;

  constructor(
    @Inject(CATGA_BUILTIN_BEHAVIORS) private readonly builtins: Builtin[],
    @Inject(CATGA_MODULE_OPTIONS) private readonly options: CatgaModuleOptions,
    private readonly discovery: DiscoveryService,
  ) {}

  get(): Pipeline {
    return (this.built ??= new Pipeline([...this.builtins, ...this.userBehaviors()]));
  }

  private userBehaviors(): OrderedBehavior[] {
    const out: OrderedBehavior[] = [];
    for (const entry of this.options.behaviors ?? []) {
      if (typeof entry !== 'function') out.push(entry);
    }
    const seen = new Set<PipelineBehavior>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype;
      if (!metatype || typeof metatype !== 'function') continue;
      const meta = behaviorOptionsOf(metatype);
      if (!meta || !wrapper.instance || !wrapper.isDependencyTreeStatic()) continue;
      const behavior = wrapper.instance as PipelineBehavior;
      if (seen.has(behavior)) continue;
      seen.add(behavior);
      out.push({ order: meta.order, behavior });
    }
    return out;
  }
}
