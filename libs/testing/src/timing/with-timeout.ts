import { sleep } from './sleep.js';

/**
 * Settles as `work` does, or rejects with `onTimeout()` after `ms`, whichever comes first. The
 * timer is cleared when `work` settles; `work` itself goes on.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      work,
      sleep(ms, { signal: timer.signal }).then(() => {
        throw onTimeout();
      }),
    ]);
  } finally {
    timer.abort();
  }
}
