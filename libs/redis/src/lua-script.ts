import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (EVALSHA), its text sent only when Redis does not hold it yet
 * (NOSCRIPT: a new or restarted server, a Cluster node that has not run it), which loads it.
 * EVAL would send the whole text on every call, and Redis would hash it again each time.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis | Cluster, numKeys: number, ...args: string[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, numKeys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.source, numKeys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
