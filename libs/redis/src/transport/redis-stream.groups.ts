import type { RedisClient } from './redis-streams.connection.js';

/** The consumer groups on the transport's streams: created idempotently, and looked up once per served request stream. */
export class RedisStreamGroups {
  /** Request streams known to have a serving group: a group, once created, persists. */
  private readonly served = new Set<string>();

  constructor(private readonly client: RedisClient) {}

  /** Creates `group` on `key` (and the stream) reading new entries only; an existing group is kept as it is. */
  async create(key: string, group: string): Promise<void> {
    try {
      await this.client.xgroup('CREATE', key, group, '$', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
    this.served.add(key);
  }

  /** Whether any group reads `key`; asks Redis until the answer is yes, so a type nobody serves fails at once. */
  async isServed(key: string): Promise<boolean> {
    if (this.served.has(key)) return true;
    try {
      const groups = (await this.client.xinfo('GROUPS', key)) as unknown[];
      if (groups.length === 0) return false;
      this.served.add(key);
      return true;
    } catch {
      return false;
    }
  }

  /** Asks Redis again next time: a request went unanswered, and the stream may have been deleted with its groups. */
  forget(key: string): void {
    this.served.delete(key);
  }
}
