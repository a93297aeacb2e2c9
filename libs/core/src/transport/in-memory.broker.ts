import type { Envelope } from '../envelope/envelope.js';
import { InMemoryDeadLetters } from './in-memory.dead-letters.js';
import type { DeadLetter } from './transport.interface.js';

/** A member of a queue group: one transport instance's handler. */
export interface GroupMember<H> {
  readonly owner: object;
  readonly handler: H;
}

/** A durable event group: members share the deliveries; events wait while it has no member. */
export interface EventGroup<H> {
  readonly members: GroupMember<H>[];
  readonly backlog: Envelope[];
  maxDeliveries: number;
  next: number;
}

/**
 * The shared "network" that in-memory transports attach to. One per process by default;
 * create separate brokers to simulate separate clusters in tests.
 */
export class InMemoryBroker<RequestH = unknown, EventH = unknown> {
  readonly requestGroups = new Map<string, { group: string; members: GroupMember<RequestH>[]; next: number }>();
  readonly eventGroups = new Map<string, Map<string, EventGroup<EventH>>>();
  readonly broadcast = new Map<string, Set<GroupMember<EventH>>>();
  /** Dead letters go to these listeners as they happen, like a dead-letter stream read from "new". */
  readonly deadLetterListeners = new Set<(dl: DeadLetter) => void>();
  /** And are kept here, to be listed, sent back and purged. */
  readonly deadLetters = new InMemoryDeadLetters();
  readonly presenceListeners = new Set<(body: Uint8Array) => void>();
  /** Addresses answering liveness checks: an instance's, from its start until its transport closes. */
  readonly liveAddresses = new Set<string>();

  static readonly shared = new InMemoryBroker();
}
