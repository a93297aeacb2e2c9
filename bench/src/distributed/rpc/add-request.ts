/** Subject of the raw NATS scenario and pattern of the @nestjs/microservices one. */
export const ADD_SUBJECT = 'bench.add';

/** Long enough never to fire at 256 in flight on a loaded machine; a fired one fails the run. */
export const REQUEST_TIMEOUT_MS = 5000;

/** The same small JSON payload in every request-reply scenario. */
export interface AddRequest {
  readonly a: number;
  readonly b: number;
}
