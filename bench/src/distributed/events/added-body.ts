/** The body of every published event, Catga's and raw JetStream's alike. */
export interface AddedBody {
  readonly i: number;
  /** `wallClockMs()` at publish, for the subscriber's publish-to-handled latency. */
  readonly sentAt: number;
  /** False for warmup events, which the subscriber counts but does not time. */
  readonly timed: boolean;
}
