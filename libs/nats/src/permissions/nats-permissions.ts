import { redriveType } from '@catga/core';
import { Subjects } from '../subjects.js';
import type { BusAccess } from './bus-access.js';
import { serviceInboxPrefix } from '../connection/inbox-prefix.js';

/** A NATS user's `permissions` block: what it may publish and subscribe to, nothing else. */
export interface NatsPermissions {
  readonly publish: { readonly allow: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
  /**
   * May answer the requests it receives: every service answers liveness checks, and a request
   * held longer than the caller's progress interval gets progress messages before its reply.
   */
  readonly allow_responses: { readonly max: number };
}

export interface NatsPermissionsOptions {
  /** Subject prefix of the transport. Default `catga`. */
  readonly prefix?: string;
  /** The event stream's name when set on the transport (`stream.name`). */
  readonly stream?: string;
}

const JS_API = '$JS.API';
/**
 * Messages a service may send to one reply subject: the reply and the progress messages before it
 * (one per `progressIntervalMs`: 150 at 200 ms cover a 30 s handling), within the server's
 * default two minutes.
 */
export const RESPONSES_PER_REQUEST = 1_000;

/**
 * The least a service needs on NATS to do what `access` says: its request subjects (in its
 * queue group), the subjects it sends and publishes to, its own durable consumers, the
 * presence subject, liveness (asking any instance, answering for its own), its own reply inbox, and the JetStream API calls Catga makes for those
 * (stream and consumer info and set-up, pulls, acks). It cannot delete or purge a stream,
 * read another service's consumers, or read another service's replies.
 */
export function natsPermissions(serviceName: string, access: BusAccess, options: NatsPermissionsOptions = {}): NatsPermissions {
  const subjects = new Subjects(options.prefix ?? 'catga', options.stream);
  const events = subjects.eventStream();
  const deadLetters = subjects.deadLetterStream();
  const publish = new Set<string>([subjects.presence(), `${subjects.prefix}.live.*.*`, `${JS_API}.INFO`]);
  const subscribe = new Set<string>([subjects.presence(), `${subjects.livenessOf(serviceName)}.*`, `${serviceInboxPrefix(serviceName)}.>`]);

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
    // Where the group takes its dead letters back (CatgaOperations.redrive).
    subscribe.add(subjects.request(redriveType(`${serviceName}.${handler}`)));
  }
  if (access.readsDeadLetters) {
    // An ordered consumer of its own, named by the client: created, read and deleted.
    publish.add(`${JS_API}.CONSUMER.CREATE.${deadLetters}.>`);
    for (const call of ['INFO', 'DELETE', 'MSG.NEXT']) publish.add(`${JS_API}.CONSUMER.${call}.${deadLetters}.*`);
  }
  return {
    publish: { allow: [...publish] },
    subscribe: { allow: [...subscribe] },
    allow_responses: { max: RESPONSES_PER_REQUEST },
  };
}
