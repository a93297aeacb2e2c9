import { setTimeout as delay } from 'node:timers/promises';

/**
 * GET a JSON document from order-api, trying its replicas in turn: a read made after chaos must
 * not count a replica still warming up as a wrong answer. Returns the status and parsed body of
 * the first answer below 500.
 */
export async function readJson(apiUrls: readonly string[], path: string, attempts = 10): Promise<{ status: number; body: unknown }> {
  let last = 'no attempt made';
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const api = apiUrls[attempt % apiUrls.length] as string;
    try {
      const response = await fetch(`${api}${path}`, { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      if (response.status < 500) return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      last = `HTTP ${response.status} ${text.slice(0, 120)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(200 * (attempt + 1));
  }
  throw new Error(`GET ${path} failed ${attempts} times; last: ${last}`);
}

/** Runs `task` over `items` with at most `limit` at a time; results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
