import type { PaymentRecord } from '@catga/order-contracts';
import type { Cluster, Redis } from 'ioredis';
import { PaymentLedger } from './payment.ledger.js';
import { LuaScript, redisCall } from '@catga/redis';

// A charge counts once per charge id, in the order's own hash (one key, one Cluster slot).
const CHARGE = new LuaScript(`
if redis.call('HSETNX', KEYS[1], 'charge:' .. ARGV[1], 1) == 1 then redis.call('HINCRBY', KEYS[1], 'charged', 1) end
return 1`);

const REFUND = new LuaScript(`
local c = tonumber(redis.call('HGET', KEYS[1], 'charged') or '0')
local r = tonumber(redis.call('HGET', KEYS[1], 'refunded') or '0')
if c > r then r = redis.call('HINCRBY', KEYS[1], 'refunded', 1) end
return r`);

/** The ledger in Redis, one hash per order, so every replica sees every order. */
export class RedisPaymentLedger extends PaymentLedger {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
  }

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    const h = await redisCall('hgetall', () => this.redis.hgetall(this.key(orderId)));
    if (!h.charged) return undefined;
    return { orderId, charged: Number(h.charged), refunded: Number(h.refunded ?? 0) };
  }

  async open(orderId: string): Promise<void> {
    await redisCall('hsetnx', () => this.redis.hsetnx(this.key(orderId), 'charged', '0'));
    await redisCall('hsetnx', () => this.redis.hsetnx(this.key(orderId), 'refunded', '0'));
  }

  async charge(orderId: string, chargeId: string): Promise<void> {
    await redisCall('charge', () => CHARGE.run(this.redis, 1, this.key(orderId), chargeId));
  }

  async refund(orderId: string): Promise<number> {
    return Number(await redisCall('refund', () => REFUND.run(this.redis, 1, this.key(orderId))));
  }

  private key(orderId: string): string {
    return `${this.prefix}:payment:{${orderId}}`;
  }
}
