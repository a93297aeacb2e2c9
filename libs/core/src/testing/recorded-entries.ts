/** What one of the harness's logs holds, and who waits on it: the harness appends, tests read. */
export class RecordedEntries<TEntry> {
  private readonly items: TEntry[] = [];
  private readonly waiters = new Set<(entry: TEntry) => void>();

  get entries(): readonly TEntry[] {
    return this.items;
  }

  append(entry: TEntry): void {
    this.items.push(entry);
    for (const waiter of [...this.waiters]) waiter(entry);
  }

  clear(): void {
    this.items.length = 0;
  }

  /** The first entry, recorded so far or from now on, that `matches` maps to a value; rejects after `timeoutMs` with `describe()`. */
  waitFor<TMatch>(matches: (entry: TEntry) => TMatch | undefined, timeoutMs: number, describe: () => string): Promise<TMatch> {
    for (const entry of this.items) {
      const match = matches(entry);
      if (match !== undefined) return Promise.resolve(match);
    }
    return new Promise<TMatch>((resolve, reject) => {
      const waiter = (entry: TEntry) => {
        const match = matches(entry);
        if (match === undefined) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(describe()));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
