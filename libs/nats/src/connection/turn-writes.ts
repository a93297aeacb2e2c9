/** One deferred send and what to do when nats.js refuses it. */
interface PendingWrite {
  readonly write: () => void;
  readonly failed: (error: unknown) => void;
}

/**
 * Sends deferred to the end of the event-loop turn and handed to nats.js together. nats.js writes
 * what it holds to the socket once per microtask checkpoint, so a send made at the end of its own
 * chain of awaits costs a socket write of its own: an event's ack, made when its handler
 * resolves, one system call per event. Deferred to the check phase, the acks of every event
 * handled in the turn leave in one write (docs/BENCHMARKS.md: less CPU per event in the
 * subscriber and in nats-server). The wait is the rest of the turn: the check phase follows the
 * poll phase that ran the handlers. Replies need none of it: the requests read from one socket
 * chunk run their pipelines side by side and reply in the same microtask wave, so nats.js
 * already writes their replies together.
 */
export class TurnWrites {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  /** Sends at the end of this turn; `failed` gets what the send throws (a closed connection). */
  send(write: () => void, failed: (error: unknown) => void): void {
    this.pending.push({ write, failed });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Sends everything deferred now (before a drain, which refuses publishes once it has begun). */
  readonly flush = (): void => {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const { write, failed } of pending) {
      try {
        write();
      } catch (error) {
        failed(error);
      }
    }
  };
}
