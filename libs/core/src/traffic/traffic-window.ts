import type { MessageKind } from '../messages/message-kind.js';

/** What an instance does with a message type: a handler of it is registered here, it sent it, it published it (since start). */
export type TrafficRole = 'handles' | 'sends' | 'publishes';

/** One message type in an instance's window; counts absent are 0, percentiles absent when nothing was handled. */
export interface TypeTraffic {
  type: string;
  kind: MessageKind;
  roles: TrafficRole[];
  /** Handlings that succeeded in the window. */
  handled?: number;
  failed?: number;
  /** Commands and queries this instance sent (to a local or a remote handler). */
  sent?: number;
  /** Events this instance published that the transport accepted. */
  published?: number;
  /** Handling time of the window's handlings, succeeded and failed. */
  p50Ms?: number;
  p99Ms?: number;
}

/** Sagas this instance drove that started (or resumed here) and that ended, by outcome, in the window. */
export interface SagaTraffic {
  started: number;
  completed: number;
  compensated: number;
  failed: number;
}

/** What one instance did between two of its announcements. */
export interface TrafficWindow {
  /** How long the window was, ms, ending at the announcement's `at`. */
  ms: number;
  types: TypeTraffic[];
  /** Over every handling of the window. */
  p50Ms?: number;
  p99Ms?: number;
  sagas: SagaTraffic;
  /** Events this instance moved to the dead letters. */
  deadLettered: number;
}
