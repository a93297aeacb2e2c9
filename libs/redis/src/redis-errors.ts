import { StoreUnavailableError } from '@catga/core';

/** Runs a Redis call, turning connection failures into a typed, retryable error. */
export async function redisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new StoreUnavailableError(`Redis ${what} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
