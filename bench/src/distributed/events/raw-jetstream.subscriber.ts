import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { RunningServer } from '../running-server.js';
import type { AddedBody } from './added-body.js';
import { HandledTally } from './handled-tally.js';
import { RAW_CONSUMER, RAW_STREAM, RAW_SUBJECT } from './raw-jetstream.stream.js';
import { answerSubscriberControl } from './subscriber-control.js';

/** The floor for handling: a durable pull consumer read with `consume()`, each message decoded and acked. */
export async function startRawJetStreamSubscriber(url: string): Promise<RunningServer> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: RAW_STREAM, subjects: [RAW_SUBJECT], storage: StorageType.File, retention: RetentionPolicy.Limits });
  await jsm.consumers.add(RAW_STREAM, {
    durable_name: RAW_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subject: RAW_SUBJECT,
  });
  const messages = await jetstream(nc)
    .consumers.get(RAW_STREAM, RAW_CONSUMER)
    .then((c) => c.consume());
  const tally = new HandledTally();
  const loop = (async () => {
    for await (const msg of messages) {
      const body = msg.json<AddedBody>();
      tally.record(body.sentAt, body.timed);
      msg.ack();
    }
  })();
  const control = await connect({ servers: url, noAsyncTraces: true });
  await answerSubscriberControl(control, tally);
  return {
    close: async () => {
      await control.drain();
      await messages.close();
      await loop;
      await jsm.streams.delete(RAW_STREAM);
      await nc.drain();
    },
  };
}
