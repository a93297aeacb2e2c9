import type { Envelope } from '../envelope/envelope.js';
import { MalformedMessageError } from '../errors/catga-errors.js';
import type { ArchivedDeadLetter } from '../transport/transport.interface.js';
import { originalHeadersOf } from '../transport/kit/dead-letter-record.js';
import { decodeEnvelope } from '../wire/envelope.codec.js';

/**
 * Where a handler group takes its dead letters back: every instance serving a durable group
 * answers requests of `catga.redrive.<group>` in that group's queue, so a dead letter goes back
 * to the group that gave it up, and to no other (docs/PROTOCOL.md, Dead letters).
 */
export const REDRIVE_TYPE_PREFIX = 'catga.redrive.';

export function redriveType(group: string): string {
  return `${REDRIVE_TYPE_PREFIX}${group}`;
}

/** The body of a redrive request: the event as it first travelled, its headers and its body (base64). */
export interface RedriveRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What a redrive request carries for a dead letter: its own headers without the `Catga-Dead-*` ones, so its id is the original one. */
export function redriveRequestOf(deadLetter: ArchivedDeadLetter): RedriveRequest {
  return { headers: originalHeadersOf(deadLetter.headers), body: Buffer.from(deadLetter.body).toString('base64') };
}

/** The event a redrive request carries, decoded as any delivery is; a request of another shape is `MALFORMED_MESSAGE`. */
export function eventOfRedrive(body: unknown): Envelope {
  if (!body || typeof body !== 'object') throw new MalformedMessageError('A redrive request carries { headers, body }');
  const { headers, body: data } = body as Partial<RedriveRequest>;
  if (!headers || typeof headers !== 'object' || typeof data !== 'string') {
    throw new MalformedMessageError('A redrive request carries { headers, body }');
  }
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') map.set(name, value);
  // The request that carried it was held to the transport's size limit already.
  return decodeEnvelope(map, Buffer.from(data, 'base64'), { maxBodyBytes: Number.MAX_SAFE_INTEGER, defaultKind: 'event' });
}
