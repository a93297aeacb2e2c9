/** Hash slots of a Redis Cluster. */
export const REDIS_CLUSTER_SLOTS = 16_384;

/**
 * The hash slot Redis Cluster puts `key` in (CRC16/XMODEM of the key, or of its `{hash tag}` when
 * it has a non-empty one, modulo 16384): what `CLUSTER KEYSLOT` answers, without a round trip.
 */
export function redisKeySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % REDIS_CLUSTER_SLOTS;
  }
  return crc16(bytes) % REDIS_CLUSTER_SLOTS;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
