import { NoRespondersError, RequestError, TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';

export type RequestFailure = 'no-responders' | 'timeout' | 'closed' | 'too-large' | 'forbidden' | 'other';

/** Sorts a nats.js request or publish failure into what Catga does about it. */
export function classifyNatsError(error: unknown): RequestFailure {
  if (error instanceof NoRespondersError) return 'no-responders';
  if (error instanceof RequestError) {
    if (error.isNoResponders()) return 'no-responders';
    if (error.cause instanceof NatsTimeoutError) return 'timeout';
  }
  if (error instanceof NatsTimeoutError) return 'timeout';
  const name = error instanceof Error ? error.name : '';
  // A message the server can never take: retrying it changes nothing.
  if (name === 'InvalidArgumentError' && /max_payload/.test((error as Error).message)) return 'too-large';
  // The server's permissions refuse this user the subject.
  if (name === 'PermissionViolationError') return 'forbidden';
  if (name === 'ClosedConnectionError' || name === 'DrainingConnectionError') return 'closed';
  if (error instanceof Error && error.cause) return classifyNatsError(error.cause);
  return 'other';
}
