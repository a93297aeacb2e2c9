import type { MessageContext } from '../../context/message-context.js';
import { TimeoutError } from '../../errors/catga-errors.js';
import { deserializeError, serializeError, toCatgaError } from '../../errors/error.serializer.js';
import type { IdempotencyOutcome, IdempotencyStore } from '../../stores/idempotency/idempotency-store.interface.js';
import type { MessageKind } from '../../messages/message-kind.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

export interface IdempotencySettings {
  /** How long an outcome is remembered, in ms. Default 604800000 (7 days). */
  readonly retentionMs: number;
  /**
   * How long a claim outlives its owner, in ms: the owner renews it every third of this while the
   * handler runs, so when the owner dies another instance may take over after at most this. Default 10000.
   */
  readonly claimTtlMs: number;
  /** How long a duplicate waits for the first handling to finish, in ms. Default 30000. */
  readonly waitTimeoutMs: number;
}

export type IdempotencyBehaviorOptions = Partial<IdempotencySettings>;

const REPLAYED = Symbol.for('catga.idempotent-replay');
let claimSequence = 0;

/**
 * Each message id has its effect at most once. The first handling claims the id; its outcome
 * (result, or a command's non-retryable error) is stored and returned to every repeat. A
 * concurrent duplicate waits for that outcome. A retryable failure, or any failure of an event
 * handler (redelivery is its retry), gives the claim back so the next attempt runs.
 */
export class IdempotencyBehavior implements PipelineBehavior {
  private readonly retentionMs: number;
  private readonly claimTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly active = new Set<{ key: string; owner: string }>();
  private renewer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly instanceId: string,
    settings: IdempotencySettings,
  ) {
    ({ retentionMs: this.retentionMs, claimTtlMs: this.claimTtlMs, waitTimeoutMs: this.waitTimeoutMs } = settings);
  }

  appliesTo(kind: MessageKind): boolean {
    return kind !== 'query';
  }

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const key = idempotencyKeyOf(context);
    const owner = `${this.instanceId}#${++claimSequence}`;
    const deadline = Date.now() + this.waitTimeoutMs;
    for (;;) {
      const claim = await this.store.tryClaim(key, owner, this.claimTtlMs);
      if (claim.status === 'claimed') return this.runClaimed(context, key, owner, next);
      if (claim.status === 'completed') return this.replay(context, claim.outcome);
      const remaining = deadline - Date.now();
      const outcome = remaining > 0 ? await this.store.waitForOutcome(key, remaining) : undefined;
      if (outcome) return this.replay(context, outcome);
      if (Date.now() >= deadline) {
        throw new TimeoutError(`${context.envelope.type} ${context.envelope.id} is still being handled elsewhere`, {
          messageId: context.envelope.id,
        });
      }
      // The claim was released or expired: try to take it.
    }
  }

  private async runClaimed(context: MessageContext, key: string, owner: string, next: () => Promise<unknown>) {
    let result: unknown;
    const claim = { key, owner };
    this.startRenewing(claim);
    if (this.store.holdsWrites) context.heldWrites = [];
    try {
      result = await next();
    } catch (error) {
      this.active.delete(claim);
      context.heldWrites = undefined;
      const e = toCatgaError(error, context.envelope.id);
      // An event's failure is never final: its redelivery must run the handler again.
      if (e.retryable || context.envelope.kind === 'event') await this.store.release(key, owner);
      else await this.store.complete(key, owner, { ok: false, error: serializeError(e) }, this.retentionMs);
      throw e;
    }
    this.active.delete(claim);
    const writes = context.heldWrites;
    context.heldWrites = undefined;
    await this.store.complete(key, owner, { ok: true, result }, this.retentionMs, writes);
    return result;
  }

  // One timer renews every claim in hand, rather than a timer per handling.
  private startRenewing(claim: { key: string; owner: string }): void {
    this.active.add(claim);
    if (this.renewer) return;
    this.renewer = setInterval(
      () => {
        if (this.active.size === 0) {
          clearInterval(this.renewer);
          this.renewer = undefined;
          return;
        }
        for (const c of this.active) this.store.renewClaim(c.key, c.owner, this.claimTtlMs).catch(() => undefined);
      },
      Math.max(50, this.claimTtlMs / 3),
    );
    this.renewer.unref();
  }

  private replay(context: MessageContext, outcome: IdempotencyOutcome): unknown {
    context.items.set(REPLAYED, true);
    if (outcome.ok) return outcome.result;
    throw deserializeError(outcome.error);
  }
}

/** Commands are keyed by type and id; events by handler too, since every handler group handles each event once. */
function idempotencyKeyOf(context: MessageContext): string {
  const { envelope } = context;
  return envelope.kind === 'event' ? `${envelope.type}:${context.handler}:${envelope.id}` : `${envelope.type}:${envelope.id}`;
}

/** Whether the current handling returned a stored outcome instead of running the handler. */
export function wasReplayed(context: MessageContext): boolean {
  return context.peek(REPLAYED) === true;
}
