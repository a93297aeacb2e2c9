import type { Liveness, LivenessChannel } from '../transport/transport.interface.js';
import { parseOwnerAddress } from './owner-address.js';

/** How a held claim or lease is judged (`CatgaModuleOptions.failover`). */
export interface FailoverSettings {
  /** How long an owner has to answer a liveness check before it is presumed frozen or cut off, in ms. Default 500. */
  readonly probeTimeoutMs: number;
  /** How often a waiter asks again whether the owner of what it waits for still runs, in ms. Default 250. */
  readonly recheckMs: number;
}

/**
 * How long a down answer (`gone` or `silent`) is trusted without asking again, in ms: many
 * waiters on one dead or frozen owner ask once, and a retry that reached the frozen owner again
 * first does not pay for a second probe. Short, since an owner whose connection dropped comes
 * back on reconnect, and a paused one resumes.
 */
const DOWN_TRUSTED_MS = 1_000;
const DOWN_KEPT = 10_000;

/**
 * Whether the owner of a claim or lease still runs, asked of the transport's liveness channel:
 * `gone` (the transport knows nobody holds the address: killed, closed) or `silent` past
 * `probeTimeoutMs` (frozen, partitioned) count as down; whatever else (alive, an owner without an
 * address, this instance, no channel, a failed check) does not, and the expiry stays the backstop.
 * Concurrent checks of one address share one probe.
 */
export class PeerLiveness {
  /** Address → how it was found down, and until when that is trusted. */
  private readonly down = new Map<string, { readonly liveness: Exclude<Liveness, 'alive'>; readonly until: number }>();
  private readonly checking = new Map<string, Promise<Liveness | undefined>>();

  constructor(
    private readonly channel: LivenessChannel | undefined,
    /** This instance's address: never presumed down. */
    readonly self: string,
    private readonly settings: FailoverSettings | false,
  ) {}

  /** Whether down owners are looked for at all (a channel, and failover not switched off). */
  get enabled(): boolean {
    return this.channel !== undefined && this.settings !== false;
  }

  /** How often a waiter re-checks an owner; `undefined` when disabled. */
  get recheckMs(): number | undefined {
    return this.enabled && this.settings ? this.settings.recheckMs : undefined;
  }

  /** How long an owner has to answer a check; `undefined` when disabled. */
  get probeTimeoutMs(): number | undefined {
    return this.enabled && this.settings ? this.settings.probeTimeoutMs : undefined;
  }

  /** Whether `owner` (a claim's or lease's owner string) is known not to run any more. */
  async isDown(owner: string): Promise<boolean> {
    const liveness = await this.check(owner);
    return liveness === 'gone' || liveness === 'silent';
  }

  /**
   * What the transport says of `owner`: `gone`, `silent` past `probeTimeoutMs`, `alive`; or
   * `undefined` when it cannot tell (no address, this instance, no channel, failover off, a
   * failed check).
   */
  check(owner: string): Promise<Liveness | undefined> {
    const parsed = parseOwnerAddress(owner);
    if (!parsed || !this.channel || !this.settings || parsed.address === this.self) return Promise.resolve(undefined);
    const { address } = parsed;
    const down = this.down.get(address);
    if (down !== undefined && down.until > Date.now()) return Promise.resolve(down.liveness);
    let check = this.checking.get(address);
    if (!check) {
      check = this.probe(this.channel, address, this.settings.probeTimeoutMs).finally(() => this.checking.delete(address));
      this.checking.set(address, check);
    }
    return check;
  }

  private async probe(channel: LivenessChannel, address: string, timeoutMs: number): Promise<Liveness | undefined> {
    let liveness: Liveness;
    try {
      liveness = await channel.check(address, timeoutMs);
    } catch {
      return undefined;
    }
    if (liveness === 'alive') return liveness;
    if (this.down.size >= DOWN_KEPT) this.down.clear();
    this.down.set(address, { liveness, until: Date.now() + DOWN_TRUSTED_MS });
    return liveness;
  }
}
