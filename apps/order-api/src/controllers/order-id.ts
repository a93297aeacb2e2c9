import { createHash } from 'node:crypto';
import { newMessageId } from '@catga/core';

/**
 * The id of the order a request places. With an `Idempotency-Key` it is derived from the key
 * (a name-based UUID, version 8), so every retry of the request names the same order and its
 * saga runs once even if the idempotency record were lost (a Redis failover drops the last
 * acknowledged writes); without one, a new time-ordered id.
 */
export function orderIdFor(idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return newMessageId();
  const h = createHash('sha256').update(`catga-sample-order:${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
