import type { LivenessChannel } from '../transport/transport.interface.js';
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
  /** Address → until when it is taken as down. */
  private readonly down = new Map<string, number>();
  private readonly checking = new Map<string, Promise<boolean>>();

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

  /** Whether `owner` (a claim's or lease's owner string) is known not to run any more. */
  isDown(owner: string): Promise<boolean> {
    const parsed = parseOwnerAddress(owner);
    if (!parsed || !this.channel || !this.settings || parsed.address === this.self) return Promise.resolve(false);
    const { address } = parsed;
    const downUntil = this.down.get(address);
    if (downUntil !== undefined && downUntil > Date.now()) return Promise.resolve(true);
    let check = this.checking.get(address);
    if (!check) {
      check = this.probe(this.channel, address, this.settings.probeTimeoutMs).finally(() => this.checking.delete(address));
      this.checking.set(address, check);
    }
    return check;
  }

  private async probe(channel: LivenessChannel, address: string, timeoutMs: number): Promise<boolean> {
    let liveness;
    try {
      liveness = await channel.check(address, timeoutMs);
    } catch {
      return false;
    }
    if (liveness === 'alive') return false;
    if (this.down.size >= DOWN_KEPT) this.down.clear();
    this.down.set(address, Date.now() + DOWN_TRUSTED_MS);
    return true;
  }
}
