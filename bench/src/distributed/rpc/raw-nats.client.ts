import { connect } from '@nats-io/transport-node';
import { ADD_SUBJECT, REQUEST_TIMEOUT_MS } from './add-request.js';
import type { RemoteAdd } from './remote-add.js';

/** Plain `nc.request` on the shared reply inbox. */
export async function connectRawNatsClient(url: string): Promise<RemoteAdd> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  return {
    add: async (a, b) => {
      const reply = await nc.request(ADD_SUBJECT, JSON.stringify({ a, b }), { timeout: REQUEST_TIMEOUT_MS });
      return reply.json<number>();
    },
    close: () => nc.drain(),
  };
}
