import type { CatgaPatternExtras, CatgaPatternOptions } from '../catga-microservices-options.interface.js';

/** The options a handler's extras carry, read as a bounded, typed value. */
export function catgaPatternOptions(extras: unknown): CatgaPatternOptions {
  const raw = extras !== null && typeof extras === 'object' ? (extras as CatgaPatternExtras).catga : undefined;
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object') throw new Error('The "catga" extras of a pattern must be an object');
  const { kind, broadcast, maxDeliveries } = raw;
  if (kind !== undefined && kind !== 'command' && kind !== 'query')
    throw new Error(`catga.kind must be "command" or "query", not ${String(kind)}`);
  if (broadcast !== undefined && typeof broadcast !== 'boolean') throw new Error('catga.broadcast must be a boolean');
  if (maxDeliveries !== undefined && !(Number.isInteger(maxDeliveries) && maxDeliveries >= 1)) {
    throw new Error(`catga.maxDeliveries must be a positive integer, not ${String(maxDeliveries)}`);
  }
  return { kind, broadcast, maxDeliveries };
}
