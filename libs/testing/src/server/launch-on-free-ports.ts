import { freePorts } from '../net/free-port.js';
import { retryOnPortConflict } from '../net/port-conflict-retry.js';

/** What a launch leaves behind, and can take down again. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Picks `portCount` free loopback ports, builds what runs on them and brings it up. A failed
 * bring-up is stopped before the error goes on; a port taken by someone else in between means a
 * fresh try on fresh ports.
 */
export function launchOnFreePorts<T extends Stoppable>(
  portCount: number,
  build: (ports: readonly number[]) => T,
  bringUp: (launched: T) => Promise<void>,
): Promise<T> {
  return retryOnPortConflict(async () => {
    const launched = build(await freePorts(portCount));
    try {
      await bringUp(launched);
      return launched;
    } catch (error) {
      await launched.stop();
      throw error;
    }
  });
}
