import { INITIAL_STOCK, type OrderLine, type StockLevel } from '@catga/order-contracts';
import type { Cluster, Redis } from 'ioredis';
import { shortage } from './in-memory-stock.ledger.js';
import { quantitiesOf, StockLedger } from './stock.ledger.js';
import { LuaScript, redisCall } from '@catga/redis';

// KEYS[1] = the order's reservation, KEYS[2..] = product levels; ARGV[1] = initial stock,
// ARGV[2..] = quantities. All or nothing, in one script; returns the short products' levels.
const RESERVE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {} end
local short = {}
for i = 2, #KEYS do
  local available = tonumber(redis.call('HGET', KEYS[i], 'available') or ARGV[1])
  if available < tonumber(ARGV[i]) then table.insert(short, i - 1); table.insert(short, available) end
end
if #short > 0 then return short end
for i = 2, #KEYS do
  if redis.call('HSETNX', KEYS[i], 'available', ARGV[1]) == 1 then redis.call('HSET', KEYS[i], 'reserved', 0) end
  redis.call('HINCRBY', KEYS[i], 'available', -tonumber(ARGV[i]))
  redis.call('HINCRBY', KEYS[i], 'reserved', tonumber(ARGV[i]))
  redis.call('HSET', KEYS[1], KEYS[i], ARGV[i])
end
return {}`);

const RELEASE = new LuaScript(`
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  redis.call('HINCRBY', held[i], 'available', tonumber(held[i + 1]))
  redis.call('HINCRBY', held[i], 'reserved', -tonumber(held[i + 1]))
end
redis.call('DEL', KEYS[1])
return 1`);

/**
 * Stock in Redis. Every key shares the `{stock}` hash tag, so an order's reservation across
 * several products is one script on one Cluster slot.
 */
export class RedisStockLedger extends StockLedger {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
  }

  async level(productId: string): Promise<StockLevel> {
    const [available, reserved] = await redisCall('hmget', () => this.redis.hmget(this.productKey(productId), 'available', 'reserved'));
    return { productId, available: available === null ? INITIAL_STOCK : Number(available), reserved: Number(reserved ?? 0) };
  }

  async reserve(orderId: string, lines: readonly OrderLine[]): Promise<void> {
    const wanted = [...quantitiesOf(lines)];
    const keys = [this.reservationKey(orderId), ...wanted.map(([p]) => this.productKey(p))];
    const short = (await redisCall('reserve', () =>
      RESERVE.run(this.redis, keys.length, ...keys, String(INITIAL_STOCK), ...wanted.map(([, q]) => String(q))),
    )) as number[];
    if (short.length > 0) {
      const items: Array<{ productId: string; wanted: number; available: number }> = [];
      for (let i = 0; i < short.length; i += 2) {
        const [productId, quantity] = wanted[short[i]! - 1]!;
        items.push({ productId, wanted: quantity, available: short[i + 1]! });
      }
      throw shortage(orderId, items);
    }
  }

  async release(orderId: string): Promise<void> {
    await redisCall('release', () => RELEASE.run(this.redis, 1, this.reservationKey(orderId)));
  }

  private productKey(productId: string): string {
    return `${this.prefix}:stock:{stock}:product:${productId}`;
  }

  private reservationKey(orderId: string): string {
    return `${this.prefix}:stock:{stock}:reservation:${orderId}`;
  }
}
