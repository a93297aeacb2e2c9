import { holdWrite } from '@catga/core';

/** A Redis write held until the handling's outcome is stored (see `holdRedisWrite`). */
export class HeldRedisWrite {
  constructor(
    readonly command: string,
    readonly key: string,
    readonly args: readonly string[],
    /** Runs only if the write before it replied 1 (an outbox entry is indexed only if it was new). */
    readonly onlyIfPreviousReplied1 = false,
  ) {}
}

/**
 * Applies `command key ...args` in the same Lua script that stores the handling's outcome in the
 * `RedisIdempotencyStore`, so the write happens exactly once even if the replica dies mid-handling
 * (before: neither is stored, a retry runs the handler again; after: a retry gets the outcome).
 * The key must live on the idempotency store's Redis (on Redis Cluster, in the same slot as the
 * message's idempotency key). The handler cannot read its own held writes back; Redis applies
 * the writes in order and, as in any script, keeps those before a write that fails.
 *
 *   holdRedisWrite('HINCRBY', `ledger:${customerId}`, 'charged', amount);
 */
export function holdRedisWrite(command: string, key: string, ...args: Array<string | number>): void {
  holdWrite(new HeldRedisWrite(command, key, args.map(String)));
}
