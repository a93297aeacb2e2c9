import type { MessageContext } from '../../context/message-context.js';
import type { Envelope } from '../../envelope/envelope.js';
import { ClaimLostError, TimeoutError } from '../../errors/catga-errors.js';
import { deserializeError, isRetryable, serializeError } from '../../errors/error.serializer.js';
import type { IdempotencyOutcome, IdempotencyStore } from '../../stores/idempotency/idempotency-store.interface.js';
import type { PeerLiveness } from '../../liveness/peer-liveness.js';
import type { MessageKind } from '../../messages/message-kind.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';
import { markEventsSavedWithOutcome } from './outbox.behavior.js';

export interface IdempotencySettings {
  /** How long an outcome is remembered, in ms. Default 604800000 (7 days). */
  readonly retentionMs: number;
  /**
   * How long a claim outlives its owner, in ms: the owner renews it every third of this while the
   * handler runs. The backstop: an owner the transport reports dead or silent is taken over at
   * once (`failover`); one it cannot tell of, after at most this. Default 10000.
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
 * handler (redelivery is its retry), gives the claim back so the next attempt runs. A claim
 * whose owner is down (killed, frozen, cut off: see `PeerLiveness`) is taken over by
 * compare-and-set; the old owner, if it wakes, stores nothing (`ClaimLostError`).
 */
export class IdempotencyBehavior implements PipelineBehavior {
  private readonly retentionMs: number;
  private readonly claimTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly active = new Set<{ key: string; owner: string }>();
  private renewer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly liveness: PeerLiveness,
    settings: IdempotencySettings,
    /** Given when the outbox can be written in the step that stores an outcome (`OutboxPublisher.savesWith`). */
    private readonly saveEvents?: (events: readonly Envelope[]) => unknown[],
  ) {
    ({ retentionMs: this.retentionMs, claimTtlMs: this.claimTtlMs, waitTimeoutMs: this.waitTimeoutMs } = settings);
  }

  appliesTo(kind: MessageKind): boolean {
    return kind !== 'query';
  }

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    // An id no other handling can carry, in a store nothing outside this process reads: nobody
    // could ever repeat it, so no claim and no record. A store that can be down is still asked
    // first, so a handling does not run (and raise events it cannot save) while it is.
    if (context.privateId && this.store.inProcess) return next();
    const key = idempotencyKeyOf(context);
    const owner = `${this.liveness.self}#${++claimSequence}`;
    const deadline = Date.now() + this.waitTimeoutMs;
    const recheckMs = this.liveness.recheckMs;
    for (;;) {
      const claim = await this.store.tryClaim(key, owner, this.claimTtlMs);
      if (claim.status === 'claimed') return this.runClaimed(context, key, owner, next);
      if (claim.status === 'completed') return this.replay(context, claim.outcome);
      if ((await this.liveness.isDown(claim.owner)) && (await this.store.takeOver(key, claim.owner, owner, this.claimTtlMs))) {
        return this.runClaimed(context, key, owner, next);
      }
      const remaining = deadline - Date.now();
      // With liveness, the owner is asked again every `recheckMs` while the outcome is awaited.
      const wait = recheckMs === undefined ? remaining : Math.min(remaining, recheckMs);
      const outcome = remaining > 0 ? await this.store.waitForOutcome(key, wait) : undefined;
      if (outcome) return this.replay(context, outcome);
      if (Date.now() >= deadline) {
        throw new TimeoutError(`${context.envelope.type} ${context.envelope.id} is still being handled elsewhere`, {
          messageId: context.envelope.id,
        });
      }
      // The claim was released or expired, or its owner is to be asked again.
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
      // An event's failure is never final: its redelivery must run the handler again.
      if (isRetryable(error) || context.envelope.kind === 'event') await this.store.release(key, owner);
      else if (!(await this.store.complete(key, owner, { ok: false, error: serializeError(error, context.envelope.id) }, this.retentionMs)))
        throw claimLost(context);
      // What the handler threw, not a wrapper: the caller in this process gets the same object.
      throw error;
    }
    this.active.delete(claim);
    let writes = context.heldWrites;
    context.heldWrites = undefined;
    const events = this.saveEvents && context.pendingEvents?.length ? context.pendingEvents : undefined;
    if (events) writes = [...(writes ?? []), ...this.saveEvents!(events)];
    if (!(await this.store.complete(key, owner, { ok: true, result }, this.retentionMs, writes))) throw claimLost(context);
    if (events) markEventsSavedWithOutcome(context);
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

function claimLost(context: MessageContext): ClaimLostError {
  const { type, id } = context.envelope;
  return new ClaimLostError(`${type} ${id} was taken over by another instance before this handling could store its outcome`, {
    messageId: id,
  });
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
