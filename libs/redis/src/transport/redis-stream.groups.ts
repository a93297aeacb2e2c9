import type { RedisClient } from './redis-streams.connection.js';

/** The consumer groups on the transport's streams: created idempotently, looked up before each request. */
export class RedisStreamGroups {
  constructor(private readonly client: RedisClient) {}

  /** Creates `group` on `key` (and the stream) reading new entries only; an existing group is kept as it is. */
  async create(key: string, group: string): Promise<void> {
    try {
      await this.client.xgroup('CREATE', key, group, '$', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  /** Whether any group reads `key`, so a type nobody serves fails at once. */
  async isServed(key: string): Promise<boolean> {
    try {
      const groups = (await this.client.xinfo('GROUPS', key)) as unknown[];
      return groups.length > 0;
    } catch {
      return false;
    }
  }
}
