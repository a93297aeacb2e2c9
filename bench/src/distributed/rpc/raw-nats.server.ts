import { connect } from '@nats-io/transport-node';
import type { RunningServer } from '../running-server.js';
import { ADD_SUBJECT, type AddRequest } from './add-request.js';

/** The floor: a queue-group subscription that JSON-decodes the request and responds. */
export async function startRawNatsServer(url: string): Promise<RunningServer> {
  // No async stack traces, as Catga connects: they cost every request, which would flatter Catga.
  const nc = await connect({ servers: url, noAsyncTraces: true });
  nc.subscribe(ADD_SUBJECT, {
    queue: 'bench',
    callback: (error, msg) => {
      if (error) return;
      const { a, b } = msg.json<AddRequest>();
      msg.respond(JSON.stringify(a + b));
    },
  });
  // The server must know the subscription before the runner is told this side is ready.
  await nc.flush();
  return { close: () => nc.drain() };
}
