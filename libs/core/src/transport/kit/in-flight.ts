/**
 * The work a transport has in hand (handlings, replies, acks), so `drain()` can wait for all of it,
 * including work that starts while it waits.
 */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  get size(): number {
    return this.work.size;
  }

  /** Tracks `work` until it settles and returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    const done = () => this.work.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves once nothing is in hand; never rejects. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }
}
