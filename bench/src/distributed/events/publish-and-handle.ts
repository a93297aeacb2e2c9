import { connect } from '@nats-io/transport-node';
import type { DistributedResult } from '../distributed-result.js';
import type { DistributedSettings } from '../distributed-settings.js';
import { runCount } from '../in-flight-runner.js';
import type { RowIdentity } from '../row-identity.js';
import { askSubscriber, waitForHandled } from './subscriber-control.js';
import { timePublishes } from './timed-publishes.js';
import { wallClockMs } from './wall-clock.js';

// Generous: a subscriber far slower than the publisher should show as a low rate, not a failure.
const DRAIN_TIMEOUT_MS = 60_000;

export interface PublishAndHandleRows {
  /** Publish until JetStream acked. */
  readonly acked: RowIdentity;
  /** From the first publish until the subscriber process handled the last event. */
  readonly handled: RowIdentity;
}

/** The event to publish: index, `wallClockMs()` at publish, and whether it is timed. */
export type Publish = (i: number, sentAt: number, timed: boolean) => Promise<unknown>;

/**
 * Publishes warmup events and waits until the subscriber handled them, then publishes the timed
 * ones at `inFlight` and times them until acked and until handled.
 */
export async function measurePublishAndHandle(
  url: string,
  publish: Publish,
  inFlight: number,
  settings: DistributedSettings,
  rows: PublishAndHandleRows,
  bootMs: number,
): Promise<DistributedResult[]> {
  const control = await connect({ servers: url, noAsyncTraces: true });
  try {
    await runCount((i) => publish(i, wallClockMs(), false), inFlight, settings.warmupEvents);
    await waitForHandled(control, settings.warmupEvents, DRAIN_TIMEOUT_MS);

    const started = performance.now();
    const acked = await timePublishes((i) => publish(i, wallClockMs(), true), inFlight, settings.events);
    await waitForHandled(control, settings.warmupEvents + settings.events, DRAIN_TIMEOUT_MS);
    const handledMs = performance.now() - started;
    const report = await askSubscriber(control, 'report');

    const handledRound = { ops: settings.events, ms: handledMs, opsPerSec: (settings.events / handledMs) * 1000 };
    const common = { inFlight, ops: settings.events, bootMs };
    return [
      { ...rows.acked, ...common, opsPerSec: acked.round.opsPerSec, p50Ms: acked.p50Ms, p99Ms: acked.p99Ms, rounds: [acked.round] },
      {
        ...rows.handled,
        ...common,
        opsPerSec: handledRound.opsPerSec,
        p50Ms: report.p50Ms ?? null,
        p99Ms: report.p99Ms ?? null,
        rounds: [handledRound],
      },
    ];
  } finally {
    await control.drain();
  }
}
