/** How long a request type stays known after it was last announced or answered: as long as the view keeps a gone member. */
export const SIGHTING_KEPT_MS = 120_000;

/** Types remembered at most; past it the one seen longest ago is forgotten, so forged announcements cannot grow it. */
export const MAX_SIGHTED_TYPES = 10_000;

/**
 * What a caller knows of who serves a request type with no server right now: `seen` (a member
 * announced it handles the type, or a replica answered it, within `SIGHTING_KEPT_MS`: a restart,
 * wait for it), `pending` (this instance has not heard every member yet: ask again), `never`.
 */
export type Sighting = { readonly kind: 'seen'; readonly service: string | undefined } | { readonly kind: 'pending' | 'never' };

const NEVER: Sighting = { kind: 'never' };
const PENDING: Sighting = { kind: 'pending' };

/**
 * The request types the cluster has seen served, fed by the membership's announcements (with the
 * announcing service) and by the replies this instance received, read by the dispatcher when the
 * transport finds no server for a type.
 */
export class HandlerSightings {
  private readonly byType = new Map<string, { service: string | undefined; at: number }>();
  /** Until then an unknown type is `pending`; `undefined` while membership has not started. */
  private heardAllBy: number | undefined;

  /** @param announced whether membership will hear other instances (on, over a transport with presence). */
  constructor(private readonly announced: boolean) {}

  /** Membership hears announcements from now on, and expects every member's within `graceMs`. */
  listening(graceMs: number, now = Date.now()): void {
    this.heardAllBy = now + graceMs;
  }

  /** `service` serves (or, for a reply, someone serves) `type`, as of `at`. */
  seen(type: string, service: string | undefined, at = Date.now()): void {
    const known = this.byType.get(type);
    // Re-inserted, so the map's order is the order of the last sighting and the first key the oldest.
    if (known) this.byType.delete(type);
    else if (this.byType.size >= MAX_SIGHTED_TYPES) this.byType.delete(this.byType.keys().next().value!);
    this.byType.set(type, { service: service ?? known?.service, at: Math.max(at, known?.at ?? 0) });
  }

  /** A replica answered `type`: the hot path, so no re-insertion (eviction order may lag for these). */
  answered(type: string, now = Date.now()): void {
    const known = this.byType.get(type);
    if (known) known.at = now;
    else this.seen(type, undefined, now);
  }

  lookup(type: string, now = Date.now()): Sighting {
    const known = this.byType.get(type);
    if (known && now - known.at <= SIGHTING_KEPT_MS) return { kind: 'seen', service: known.service };
    if (this.announced && (this.heardAllBy === undefined || now < this.heardAllBy)) return PENDING;
    return NEVER;
  }
}
