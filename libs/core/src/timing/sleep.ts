import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`. Pass `unref` for a pause that must not keep the process alive. */
export function sleep(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return delay(ms, undefined, { ref: !options.unref });
}
