import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '../envelope/envelope.js';
import { PayloadTooLargeError, TransportUnavailableError } from '../errors/catga-errors.js';
import { InMemoryOutboxStore } from '../stores/outbox/in-memory-outbox.store.js';
import { InMemoryBroker } from '../transport/in-memory.broker.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { OutboxPublisher } from './outbox.publisher.js';

// relayOnce(-1): entries saved in this very millisecond count as old enough.
const settings = { relayIntervalMs: 1_000, relayMinAgeMs: 0, relayBatchSize: 100, relayLeaseMs: 30_000 };

function event(type: string): Envelope {
  return { id: `${type}-1`, type, kind: 'event', correlationId: 'c', causationId: undefined, timestamp: Date.now(), headers: {}, body: {} };
}

/** An in-memory transport that refuses some types the way a broker refuses a message it can never take. */
class Refusing extends InMemoryTransport {
  refusals = 0;
  constructor(private readonly refuse: (type: string) => Error | undefined) {
    super({ broker: new InMemoryBroker() });
  }
  override async publish(envelope: Envelope): Promise<void> {
    const error = this.refuse(envelope.type);
    if (error) {
      this.refusals++;
      throw error;
    }
    return super.publish(envelope);
  }
}

describe('outbox publisher, an event that can never be published', () => {
  it('is parked with its reason, the others go out, and no relay tries it again', async () => {
    const store = new InMemoryOutboxStore();
    const transport = new Refusing((type) => (type === 'big' ? new PayloadTooLargeError('header size exceeds maximum') : undefined));
    const publisher = new OutboxPublisher(store, transport, 'i1', settings);
    await publisher.release([event('big'), event('small')]);
    await publisher.settled();
    assert.equal(await store.pendingCount(), 0);
    assert.deepEqual(
      (await store.parked(10)).map((p) => [p.id, p.reason.code]),
      [['big-1', 'PAYLOAD_TOO_LARGE']],
    );
    assert.equal(await publisher.relayOnce(-1), 0);
    assert.equal(transport.refusals, 1);
    await transport.close();
  });

  it('one that may get through later stays pending for the relay', async () => {
    const store = new InMemoryOutboxStore();
    let down = true;
    const transport = new Refusing(() => (down ? new TransportUnavailableError('no leader') : undefined));
    const publisher = new OutboxPublisher(store, transport, 'i1', settings);
    await publisher.release([event('later')]);
    await publisher.settled();
    assert.equal(await store.pendingCount(), 1);
    assert.deepEqual(await store.parked(10), []);
    down = false;
    assert.equal(await publisher.relayOnce(-1), 1);
    assert.equal(await store.pendingCount(), 0);
    await transport.close();
  });
});

/** An in-memory transport whose publishes wait until `open()`, like a broker electing a leader. */
class Stalled extends InMemoryTransport {
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  published = 0;
  constructor() {
    super({ broker: new InMemoryBroker() });
  }
  open(): void {
    this.opened();
  }
  override async publish(envelope: Envelope): Promise<void> {
    await this.gate;
    this.published++;
    return super.publish(envelope);
  }
}

describe('outbox publisher, a broker that is slow to take events', () => {
  it('release resolves once the events are saved; the publish goes on behind it and is marked when it lands', async () => {
    const store = new InMemoryOutboxStore();
    const transport = new Stalled();
    const publisher = new OutboxPublisher(store, transport, 'i1', settings);
    await publisher.release([event('slow')]);
    assert.equal(await store.pendingCount(), 1, 'saved, not yet published');
    assert.equal(transport.published, 0);
    transport.open();
    await publisher.settled();
    assert.equal(transport.published, 1);
    assert.equal(await store.pendingCount(), 0, 'marked published once it landed');
    await transport.close();
  });

  it('stopping the relay waits for the publishes under way', async () => {
    const store = new InMemoryOutboxStore();
    const transport = new Stalled();
    const publisher = new OutboxPublisher(store, transport, 'i1', settings);
    await publisher.release([event('slow')]);
    let stopped = false;
    const stopping = publisher.stopRelay().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'still publishing');
    transport.open();
    await stopping;
    assert.equal(transport.published, 1);
    assert.equal(await store.pendingCount(), 0);
    await transport.close();
  });
});
