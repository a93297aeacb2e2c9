import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DistributedResult } from '../distributed-result.js';
import type { DistributedSettings } from '../distributed-settings.js';
import { measurePublishAndHandle, type PublishAndHandleRows } from './publish-and-handle.js';
import { RAW_SUBJECT } from './raw-jetstream.stream.js';

/**
 * The floor for publishing: `js.publish` of the same JSON to the raw subscriber's stream, awaiting
 * each ack. No message id, so none of the server's de-duplication work Catga's publishes ask for.
 */
export async function runRawJetStreamPublisher(
  url: string,
  inFlight: number,
  settings: DistributedSettings,
  rows: PublishAndHandleRows,
): Promise<DistributedResult[]> {
  const bootStarted = performance.now();
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const bootMs = performance.now() - bootStarted;
  try {
    const publish = (i: number, sentAt: number, timed: boolean) => js.publish(RAW_SUBJECT, JSON.stringify({ i, sentAt, timed }));
    return await measurePublishAndHandle(url, publish, inFlight, settings, rows, bootMs);
  } finally {
    await nc.drain();
  }
}
