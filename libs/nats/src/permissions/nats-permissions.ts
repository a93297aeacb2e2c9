import { Subjects } from '../subjects.js';
import type { BusAccess } from './bus-access.js';
import { serviceInboxPrefix } from '../connection/inbox-prefix.js';

/** A NATS user's `permissions` block: what it may publish and subscribe to, nothing else. */
export interface NatsPermissions {
  readonly publish: { readonly allow: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
  /** May answer the requests it receives (publish once to each reply subject). */
  readonly allow_responses: boolean;
}

export interface NatsPermissionsOptions {
  /** Subject prefix of the transport. Default `catga`. */
  readonly prefix?: string;
  /** The event stream's name when set on the transport (`stream.name`). */
  readonly stream?: string;
}

const JS_API = '$JS.API';

/**
 * The least a service needs on NATS to do what `access` says: its request subjects (in its
 * queue group), the subjects it sends and publishes to, its own durable consumers, the
 * presence subject, its own reply inbox, and the JetStream API calls Catga makes for those
 * (stream and consumer info and set-up, pulls, acks). It cannot delete or purge a stream,
 * read another service's consumers, or read another service's replies.
 */
export function natsPermissions(serviceName: string, access: BusAccess, options: NatsPermissionsOptions = {}): NatsPermissions {
  const subjects = new Subjects(options.prefix ?? 'catga', options.stream);
  const events = subjects.eventStream();
  const deadLetters = subjects.deadLetterStream();
  const publish = new Set<string>([subjects.presence(), `${JS_API}.INFO`]);
  const subscribe = new Set<string>([subjects.presence(), `${serviceInboxPrefix(serviceName)}.>`]);

  for (const stream of [events, deadLetters]) {
    for (const call of ['INFO', 'CREATE', 'UPDATE']) publish.add(`${JS_API}.STREAM.${call}.${stream}`);
  }
  for (const type of access.serves ?? []) subscribe.add(subjects.request(type));
  for (const type of access.sends ?? []) publish.add(subjects.request(type));
  for (const type of access.publishes ?? []) publish.add(subjects.event(type));
  for (const type of access.broadcasts ?? []) subscribe.add(subjects.event(type));
  for (const { handler, type } of access.consumes ?? []) {
    const consumer = subjects.consumer(`${serviceName}.${handler}`, type);
    publish.add(`${JS_API}.CONSUMER.INFO.${events}.${consumer}`);
    publish.add(`${JS_API}.CONSUMER.CREATE.${events}.${consumer}`);
    publish.add(`${JS_API}.CONSUMER.CREATE.${events}.${consumer}.>`);
    publish.add(`${JS_API}.CONSUMER.DURABLE.CREATE.${events}.${consumer}`);
    publish.add(`${JS_API}.CONSUMER.MSG.NEXT.${events}.${consumer}`);
    publish.add(`$JS.ACK.${events}.${consumer}.>`);
    publish.add(subjects.deadLetter(type));
  }
  if (access.readsDeadLetters) {
    // An ordered consumer of its own, named by the client: created, read and deleted.
    publish.add(`${JS_API}.CONSUMER.CREATE.${deadLetters}.>`);
    for (const call of ['INFO', 'DELETE', 'MSG.NEXT']) publish.add(`${JS_API}.CONSUMER.${call}.${deadLetters}.*`);
  }
  return {
    publish: { allow: [...publish] },
    subscribe: { allow: [...subscribe] },
    allow_responses: (access.serves?.length ?? 0) > 0,
  };
}
