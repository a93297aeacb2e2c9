import { type HealthReport, withTimeout } from '@catga/core/transport';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** How long each health probe (round trip, JetStream account info) may take. */
const PROBE_TIMEOUT_MS = 1_000;

/** Connected, round trip within a second, and JetStream answering. */
export async function natsHealth(nc: NatsConnection | undefined, jsm: JetStreamManager | undefined): Promise<HealthReport> {
  if (!nc || nc.isClosed()) return { up: false, details: { connected: false } };
  const within = <T>(probe: Promise<T>) => withTimeout(probe, PROBE_TIMEOUT_MS, () => new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`));
  try {
    const rttMs = await within(nc.rtt());
    if (!jsm) throw new Error('JetStream is not set up yet');
    await within(jsm.getAccountInfo());
    return { up: true, details: { connected: true, server: nc.getServer(), rttMs, jetstream: true } };
  } catch (error) {
    return { up: false, details: { connected: false, server: nc.getServer(), error: (error as Error).message } };
  }
}
