import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Envelope, newMessageId } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsTransport } from './nats.transport.js';

describe('the streams the NATS transport sets up', () => {
  const suffix = uniqueSuffix();
  const prefix = `streams${suffix}`;
  const eventStream = `NAMED_${suffix.toUpperCase()}`;
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let transport: NatsTransport;

  before(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    transport = new NatsTransport({ servers: server.url, subjectPrefix: prefix, stream: { name: eventStream } });
    await transport.start();
  });

  after(async () => {
    await transport?.close();
    for (const name of [eventStream, `${prefix.toUpperCase()}_EVENTS`, `${prefix.toUpperCase()}_DLQ`]) {
      await jsm?.streams.delete(name).catch(() => undefined);
    }
    await nc?.close();
    await server?.stop();
  });

  it('the event stream is named stream.name when given, and events go through it', async () => {
    const info = await jsm.streams.info(eventStream);
    assert.deepEqual(info.config.subjects, [`${prefix}.evt.>`]);
    const received: string[] = [];
    await transport.subscribe('streams.happened', async (e) => void received.push(e.id), { group: 'streams-group' });
    const event: Envelope = {
      id: newMessageId(),
      type: 'streams.happened',
      kind: 'event',
      correlationId: 'c',
      causationId: undefined,
      timestamp: Date.now(),
      headers: {},
      body: {},
    };
    await transport.publish(event);
    await eventually(() => assert.deepEqual(received, [event.id]), 10_000);
    assert.equal((await jsm.streams.info(eventStream)).state.messages, 1);
  });

  it('a named event stream leaves the dead-letter stream named from the prefix', async () => {
    const info = await jsm.streams.info(`${prefix.toUpperCase()}_DLQ`);
    assert.deepEqual(info.config.subjects, [`${prefix}.dlq.>`]);
  });
});
