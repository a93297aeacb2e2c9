import { ProcessExitedError } from '../process/process-exited-error.js';

/**
 * A port from freePorts() can be taken by someone else before the server binds it. Such a start
 * fails fast with "address already in use"; starting again on fresh ports is then the fix.
 */
export function isPortConflict(error: unknown): boolean {
  return error instanceof ProcessExitedError && /address already in use/i.test(error.logTail);
}

/** Runs `attempt` (which must clean up after itself on failure) again on a port conflict. */
export async function retryOnPortConflict<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !isPortConflict(error)) throw error;
    }
  }
}
