import { Empty, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { WireHeader } from '@catga/core/transport';

/** The smallest and largest progress interval a caller may ask for, in ms. */
export const PROGRESS_INTERVAL_BOUNDS = { min: 50, max: 60_000 } as const;
const TICK_MS = 50;

interface Held {
  readonly reply: string;
  readonly intervalMs: number;
  nextAt: number;
}

/**
 * Tells callers their request is still being handled: for each request held longer than the
 * interval its caller asked for, a bodiless `Catga-Progress` message on its reply subject, once
 * per interval, until the reply. One timer for every request in hand, running only while one is.
 * A caller that hears nothing for a few intervals knows the replica died or froze, and retries.
 */
export class ProgressTicker {
  private readonly held = new Set<Held>();
  private timer: NodeJS.Timeout | undefined;
  private readonly headers = natsHeaders();

  constructor(private readonly nc: NatsConnection) {
    this.headers.set(WireHeader.progress, '1');
  }

  /**
   * Starts telling `reply` every `intervalMs` (and at once with `now`: the caller asked to hear
   * that its request arrived); the returned function stops it (call it before replying).
   */
  track(reply: string, intervalMs: number, now = false): () => void {
    if (now) this.tell(reply);
    const entry: Held = { reply, intervalMs, nextAt: Date.now() + intervalMs };
    this.held.add(entry);
    this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
    return () => {
      this.held.delete(entry);
      if (this.held.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private tick(): void {
    const now = Date.now();
    for (const entry of this.held) {
      if (entry.nextAt > now) continue;
      entry.nextAt = now + entry.intervalMs;
      this.tell(entry.reply);
    }
  }

  private tell(reply: string): void {
    try {
      this.nc.publish(reply, Empty, { headers: this.headers });
    } catch {
      // A closed connection: the caller will hear nothing and retry elsewhere.
    }
  }
}

/** The interval a request asks for in its `Catga-Progress-Ms` header, when it asks for a valid one. */
export function requestedProgressMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,6}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms >= PROGRESS_INTERVAL_BOUNDS.min && ms <= PROGRESS_INTERVAL_BOUNDS.max ? ms : undefined;
}
