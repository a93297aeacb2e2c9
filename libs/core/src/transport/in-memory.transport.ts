import type { Envelope } from '../envelope/envelope.js';
import { HandlerNotFoundError, ShuttingDownError, TimeoutError, TransportUnavailableError } from '../errors/catga-errors.js';
import { serializeError } from '../errors/error.serializer.js';
import { Logger } from '@nestjs/common';
import { InMemoryBroker, type EventGroup, type GroupMember } from './in-memory.broker.js';
import { deadLetterRecord, reportDeadLetter } from './kit/dead-letter-record.js';
import { InFlight } from './kit/in-flight.js';
import { redeliveryDelay } from './kit/redelivery.js';
import { decodeEnvelope, encodeEnvelope, type WireMessage } from '../wire/envelope.codec.js';
import { decodeReply, encodeReply } from '../wire/reply.codec.js';
import type { DeadLetterFacts } from './kit/dead-letter-record.js';
import type {
  DeadLetter,
  DeadLetterArchive,
  LivenessChannel,
  PresenceChannel,
  TransportSignals,
  EventHandler,
  Reply,
  RequestHandler,
  RequestOptions,
  ServeOptions,
  SubscribeOptions,
  Transport,
  TransportSubscription,
} from './transport.interface.js';

export interface InMemoryTransportOptions {
  /** Transports on the same broker reach each other. Default: one broker per process. */
  broker?: InMemoryBroker;
  /** Default deliveries before dead-lettering. Default 5. */
  maxDeliveries?: number;
  /** Delay before the n-th redelivery: `redeliveryDelayMs * 2^(n-1)`, capped at 30 s. Default 50. */
  redeliveryDelayMs?: number;
}

type Broker = InMemoryBroker<RequestHandler, EventHandler>;

/** Delivers within one process, with the same semantics a networked transport gives. */
export class InMemoryTransport implements Transport {
  readonly name = 'in-memory';
  private readonly broker: Broker;
  private readonly maxDeliveries: number;
  private readonly redeliveryDelayMs: number;
  private readonly logger = new Logger('CatgaInMemory');
  private readonly removers = new Set<() => void>();
  private readonly inFlight = new InFlight();
  private accepting = true;
  private closed = false;
  private signals: TransportSignals | undefined;

  constructor(options: InMemoryTransportOptions = {}) {
    this.broker = (options.broker ?? InMemoryBroker.shared) as Broker;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 50;
  }

  async start(): Promise<void> {}

  async serve(type: string, handler: RequestHandler, options: ServeOptions): Promise<TransportSubscription> {
    this.assertOpen();
    let entry = this.broker.requestGroups.get(type);
    if (!entry) this.broker.requestGroups.set(type, (entry = { group: options.group, members: [], next: 0 }));
    const member: GroupMember<RequestHandler> = { owner: this, handler };
    entry.members.push(member);
    const list = entry.members;
    return this.track(() => remove(list, member));
  }

  async request(envelope: Envelope, options: RequestOptions): Promise<Reply> {
    this.assertOpen();
    const entry = this.broker.requestGroups.get(envelope.type);
    const members = entry?.members ?? [];
    if (members.length === 0) throw new HandlerNotFoundError(envelope.type, { messageId: envelope.id });
    const member = members[entry!.next++ % members.length]!;
    const owner = member.owner as InMemoryTransport;
    carry(envelope);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TimeoutError(`No reply for "${envelope.type}" within ${options.timeoutMs} ms`, { messageId: envelope.id }));
      }, options.timeoutMs);
      owner
        .run(async () => member.handler(received(envelope)))
        .then(
          (reply) => {
            clearTimeout(timer);
            resolve(decodeReply(encodeReply(reply)));
          },
          (error: unknown) => {
            clearTimeout(timer);
            resolve({ ok: false, error: serializeError(error, envelope.id) });
          },
        );
    });
  }

  async publish(envelope: Envelope): Promise<void> {
    this.assertOpen();
    // What a networked transport would refuse to send (a body nested too deep, a cycle) is refused here.
    carry(envelope);
    for (const group of this.broker.eventGroups.get(envelope.type)?.values() ?? []) {
      this.dispatch(group, envelope, 1);
    }
    for (const member of this.broker.broadcast.get(envelope.type) ?? []) {
      const owner = member.owner as InMemoryTransport;
      setImmediate(() => {
        if (!owner.accepting) return;
        // Broadcast is fire-and-forget, as over core NATS: a failure is the handler's to log.
        void owner.run(async () => member.handler(received(envelope), { attempt: 1 })).catch(() => undefined);
      });
    }
  }

  async subscribe(type: string, handler: EventHandler, options: SubscribeOptions): Promise<TransportSubscription> {
    this.assertOpen();
    const member: GroupMember<EventHandler> = { owner: this, handler };
    if (options.mode === 'broadcast') {
      let set = this.broker.broadcast.get(type);
      if (!set) this.broker.broadcast.set(type, (set = new Set()));
      set.add(member);
      const s = set;
      return this.track(() => s.delete(member));
    }
    let groups = this.broker.eventGroups.get(type);
    if (!groups) this.broker.eventGroups.set(type, (groups = new Map()));
    let group = groups.get(options.group);
    if (!group) {
      group = { members: [], backlog: [], maxDeliveries: options.maxDeliveries ?? this.maxDeliveries, next: 0 };
      groups.set(options.group, group);
    }
    if (options.maxDeliveries !== undefined) group.maxDeliveries = options.maxDeliveries;
    group.members.push(member);
    const g = group;
    for (const envelope of g.backlog.splice(0)) this.dispatch(g, envelope, 1);
    return this.track(() => remove(g.members, member));
  }

  get deadLetterArchive(): DeadLetterArchive {
    return this.broker.deadLetters;
  }

  async subscribeDeadLetters(handler: (deadLetter: DeadLetter) => Promise<void>): Promise<TransportSubscription> {
    this.assertOpen();
    const listener = (dl: DeadLetter) => void this.run(() => handler(dl)).catch(() => undefined);
    this.broker.deadLetterListeners.add(listener);
    return this.track(() => this.broker.deadLetterListeners.delete(listener));
  }

  readonly presence: PresenceChannel = {
    announce: async (body) => {
      this.assertOpen();
      for (const listener of this.broker.presenceListeners) {
        schedule(0, () => {
          try {
            listener(body);
          } catch (error) {
            this.logger.warn(`Presence listener failed: ${String(error)}`);
          }
        });
      }
    },
    listen: async (handler) => {
      this.assertOpen();
      this.broker.presenceListeners.add(handler);
      return this.track(() => this.broker.presenceListeners.delete(handler));
    },
  };

  private answering: string | undefined;

  /** An address is alive from `answer` until this transport closes; in one process nothing is ever silent. */
  readonly liveness: LivenessChannel = {
    answer: async (address) => {
      this.assertOpen();
      this.answering = address;
      this.broker.liveAddresses.add(address);
    },
    check: async (address) => {
      this.assertOpen();
      return this.broker.liveAddresses.has(address) ? 'alive' : 'gone';
    },
  };

  observe(signals: TransportSignals): void {
    this.signals = signals;
  }

  async drain(): Promise<void> {
    this.accepting = false;
    for (const remove of [...this.removers]) remove();
    this.removers.clear();
    await this.inFlight.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    if (this.answering) this.broker.liveAddresses.delete(this.answering);
  }

  private dispatch(group: EventGroup<EventHandler>, envelope: Envelope, attempt: number): void {
    const live = group.members.filter((m) => (m.owner as InMemoryTransport).accepting);
    if (live.length === 0) {
      group.backlog.push(envelope);
      return;
    }
    const member = live[group.next++ % live.length]!;
    const owner = member.owner as InMemoryTransport;
    schedule(0, () => {
      if (!owner.accepting) return this.dispatch(group, envelope, attempt);
      owner
        .run(async () => member.handler(received(envelope), { attempt }))
        .catch((error: unknown) => {
          // Refused for shutdown: the same attempt again, for a member still taking events (or the backlog).
          if (error instanceof ShuttingDownError) return schedule(this.redeliveryDelayMs, () => this.dispatch(group, envelope, attempt));
          if (attempt >= group.maxDeliveries) {
            const groupName = [...(this.broker.eventGroups.get(envelope.type)?.entries() ?? [])].find(([, g]) => g === group)?.[0] ?? '';
            owner.deadLetter(envelope, { type: envelope.type, group: groupName, deliveries: attempt, error });
            return;
          }
          const delay = redeliveryDelay(attempt, this.redeliveryDelayMs);
          schedule(delay, () => this.dispatch(group, envelope, attempt + 1));
        });
    });
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return this.inFlight.track(fn());
  }

  /** The same record a networked transport stores: the event as it would travel, and why it was given up. */
  private deadLetter(envelope: Envelope, facts: DeadLetterFacts): void {
    // The event as it was sent: encoded, whole, when it was published.
    const wire = carry(envelope);
    const record = deadLetterRecord(Object.entries(wire.headers), facts);
    const deadLetter = this.broker.deadLetters.add(new Map(Object.entries(record.headers)), wire.body);
    reportDeadLetter(this.signals, this.logger, facts, record);
    for (const listener of this.broker.deadLetterListeners) listener(deadLetter);
  }

  private track(removeFn: () => void): TransportSubscription {
    const remover = () => {
      removeFn();
      this.removers.delete(remover);
    };
    this.removers.add(remover);
    return { unsubscribe: async () => remover() };
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportUnavailableError('The in-memory transport is closed');
  }
}

// Deliveries belong to the group, not to one member: a member that drains hands them to the others.
function schedule(ms: number, fn: () => void): void {
  if (ms === 0) setImmediate(fn);
  else setTimeout(fn, ms).unref();
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Each message as it travels: encoded once, when sent. */
const wires = new WeakMap<Envelope, WireMessage>();

/** Encodes a message as a networked transport sends it (throws what it would); in one process nothing limits the size. */
function carry(envelope: Envelope): WireMessage {
  let wire = wires.get(envelope);
  if (!wire) wires.set(envelope, (wire = encodeEnvelope(envelope, UNBOUNDED, { maxArrayLength: UNBOUNDED, maxStringLength: UNBOUNDED })));
  return wire;
}

/**
 * The envelope as a receiver over a network gets it, decoded by the wire codec: its own copy of
 * the body, hydrated into its class, with the values the codec carries. What a handler sees on
 * in-memory parts is what it sees in production.
 */
function received(envelope: Envelope): Envelope {
  const wire = carry(envelope);
  return decodeEnvelope(new Map(Object.entries(wire.headers)), wire.body, {
    maxBodyBytes: UNBOUNDED,
    maxArrayLength: UNBOUNDED,
    maxStringLength: UNBOUNDED,
  });
}
