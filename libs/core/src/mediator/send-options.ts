import type { EnvelopeOptions } from '../envelope/envelope.factory.js';

export interface SendOptions extends EnvelopeOptions {
  /** How long the caller waits for a remote handler, in ms. Default: the module's `requestTimeoutMs`. */
  timeoutMs?: number;
}

export type PublishOptions = EnvelopeOptions;
