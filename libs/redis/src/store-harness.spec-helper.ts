import type { StoreHarness } from '@catga/core/conformance';
import { uniqueSuffix } from '@catga/core/conformance';
import type { Cluster, Redis } from 'ioredis';

export type Client = Redis | Cluster;

export interface RedisTopology {
  connect(): Client;
  stop(): Promise<void>;
}

/**
 * Store harnesses sharing one Redis deployment across the suites of a file: started by the first
 * suite, stopped when the last one disposes. Each suite gets its own key prefix and clients.
 */
export function sharedTopology(start: () => Promise<RedisTopology>) {
  let started: Promise<RedisTopology> | undefined;
  let users = 0;
  return <S>(make: (client: Client, keyPrefix: string) => S) =>
    async (): Promise<StoreHarness<S>> => {
      users++;
      started ??= start();
      const topology = await started;
      const keyPrefix = `conf${uniqueSuffix()}`;
      const clients: Client[] = [];
      const client = () => {
        const c = topology.connect();
        clients.push(c);
        return c;
      };
      return {
        store: make(client(), keyPrefix),
        peer: async () => make(client(), keyPrefix),
        dispose: async () => {
          await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
          if (--users === 0) {
            await topology.stop();
            started = undefined;
          }
        },
      };
    };
}
