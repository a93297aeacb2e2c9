/** A deadline set with `DeadlineQueue.add`; `cancel` is idempotent and costs nothing after it fired. */
export interface Deadline {
  cancel(): void;
}

class Entry implements Deadline {
  cancelled = false;

  constructor(
    readonly at: number,
    readonly fire: () => void,
    private readonly lane: Lane,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    // Nothing left to wait for: the timer no longer keeps the process alive.
    if (--this.lane.live === 0) this.lane.timer?.unref();
  }
}

/** Pending entries of one length, in the order they were set (so in the order they expire). */
interface Lane {
  entries: Entry[];
  head: number;
  live: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Below this many passed-over entries a lane is not worth compacting. */
const COMPACT_AT = 1024;

/**
 * Deadlines of the same length expire in the order they were set, so each length keeps a queue
 * and one timer for its oldest entry: setting and cancelling one is an array push and a flag,
 * where a timer per deadline costs Node a timer object, a list insert and an unenroll. Cancelled
 * entries are passed over when their turn comes, or compacted away once they outnumber the live.
 * The timer keeps the process alive only while a deadline is pending, as a timer per deadline would.
 */
export class DeadlineQueue {
  private readonly lanes = new Map<number, Lane>();

  /** Calls `fire` once `ms` have passed, unless the deadline is cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    let lane = this.lanes.get(ms);
    if (!lane) this.lanes.set(ms, (lane = { entries: [], head: 0, live: 0, timer: undefined }));
    const entry = new Entry(performance.now() + ms, fire, lane);
    lane.entries.push(entry);
    if (++lane.live === 1) lane.timer?.ref();
    if (lane.entries.length - lane.head > 2 * lane.live + COMPACT_AT) compact(lane);
    if (!lane.timer) this.arm(lane, ms);
    return entry;
  }

  private arm(lane: Lane, delayMs: number): void {
    lane.timer = setTimeout(() => this.expire(lane), Math.max(1, delayMs));
  }

  private expire(lane: Lane): void {
    lane.timer = undefined;
    const now = performance.now();
    // Read through the lane each time: a fire may add to it, and an add may compact it.
    while (lane.head < lane.entries.length) {
      const entry = lane.entries[lane.head]!;
      if (!entry.cancelled && entry.at > now) break;
      lane.head++;
      if (entry.cancelled) continue;
      entry.cancel();
      entry.fire();
    }
    if (lane.head === lane.entries.length) {
      lane.entries = [];
      lane.head = 0;
      return;
    }
    if (lane.head > COMPACT_AT) compact(lane);
    this.arm(lane, lane.entries[lane.head]!.at - now);
  }
}

function compact(lane: Lane): void {
  lane.entries = lane.entries.slice(lane.head).filter((e) => !e.cancelled);
  lane.head = 0;
}
