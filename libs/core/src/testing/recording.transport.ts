import type { Envelope } from '../envelope/envelope.js';
import type { InMemoryTransport } from '../transport/in-memory.transport.js';
import type {
  DeadLetter,
  EventHandler,
  LivenessChannel,
  PresenceChannel,
  Reply,
  RequestHandler,
  RequestOptions,
  ServeOptions,
  SubscribeOptions,
  Transport,
  TransportSignals,
  TransportSubscription,
} from '../transport/transport.interface.js';
import { decodeEnvelope, encodeEnvelope } from '../wire/envelope.codec.js';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Where the recording transport reports what the service put on the wire, as a receiver decodes it. */
export interface WireRecorder {
  sent(envelope: Envelope): void;
  published(envelope: Envelope): void;
}

/**
 * The service's in-memory transport, seen from the wire: records each request and event the
 * service puts on it, and counts the deliveries not yet settled (handled, or dead-lettered) so
 * the harness can tell when the service is idle.
 */
export class RecordingTransport implements Transport {
  readonly name: string;
  readonly presence: PresenceChannel | undefined;
  readonly liveness: LivenessChannel | undefined;
  /** Per event type, the durable groups this service subscribed. */
  private readonly groups = new Map<string, Set<string>>();
  /** `<message id> <group>` → deliveries of it still to settle. */
  private readonly unsettled = new Map<string, number>();
  private requests = 0;

  constructor(
    private readonly inner: InMemoryTransport,
    private readonly recorder: WireRecorder,
  ) {
    this.name = inner.name;
    this.presence = inner.presence;
    this.liveness = inner.liveness;
  }

  observe(signals: TransportSignals): void {
    this.inner.observe(signals);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    return this.inner.serve(type, handler, options);
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    const seen = asReceived(envelope);
    if (seen) this.recorder.sent(seen);
    this.requests++;
    try {
      return await this.inner.request(envelope, options);
    } finally {
      this.requests--;
    }
  }

  async publish(envelope: Envelope): Promise<void> {
    const keys = [...(this.groups.get(envelope.type) ?? [])].map((group) => key(envelope.id, group));
    for (const k of keys) this.unsettled.set(k, (this.unsettled.get(k) ?? 0) + 1);
    try {
      await this.inner.publish(envelope);
    } catch (error) {
      for (const k of keys) this.settle(k);
      throw error;
    }
    const seen = asReceived(envelope);
    if (seen) this.recorder.published(seen);
  }

  subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    if (options.mode === 'broadcast') return this.inner.subscribe(type, handler, options);
    let groups = this.groups.get(type);
    if (!groups) this.groups.set(type, (groups = new Set()));
    groups.add(options.group);
    const group = options.group;
    // A failed delivery is settled by its dead letter (`deadLettered`) once it is given up.
    const counted: EventHandler = async (envelope, delivery) => {
      await handler(envelope, delivery);
      this.settle(key(envelope.id, group));
    };
    return this.inner.subscribe(type, counted, options);
  }

  subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    return this.inner.subscribeDeadLetters(handler);
  }

  /** An event given up on: its delivery to that group is settled. */
  deadLettered(deadLetter: DeadLetter): void {
    this.settle(key(deadLetter.envelope.id, deadLetter.group));
  }

  /** What is still under way on the wire, for `idle()`; empty when nothing is. */
  busy(): string[] {
    const busy: string[] = [];
    if (this.requests > 0) busy.push(`${this.requests} request(s) awaiting a reply`);
    if (this.unsettled.size > 0) busy.push(`${this.unsettled.size} event delivery(ies) not yet handled or dead-lettered`);
    return busy;
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private settle(k: string): void {
    const left = (this.unsettled.get(k) ?? 0) - 1;
    if (left > 0) this.unsettled.set(k, left);
    else this.unsettled.delete(k);
  }
}

function key(messageId: string, group: string): string {
  return `${messageId} ${group}`;
}

/** The envelope as a receiver decodes it; undefined when it cannot travel (the transport then refuses it). */
function asReceived(envelope: Envelope): Envelope | undefined {
  try {
    const wire = encodeEnvelope(envelope, UNBOUNDED, { maxArrayLength: UNBOUNDED, maxStringLength: UNBOUNDED });
    return decodeEnvelope(new Map(Object.entries(wire.headers)), wire.body, {
      maxBodyBytes: UNBOUNDED,
      maxArrayLength: UNBOUNDED,
      maxStringLength: UNBOUNDED,
    });
  } catch {
    return undefined;
  }
}
