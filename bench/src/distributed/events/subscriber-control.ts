import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Core NATS subject on which a subscriber process answers how far it got: `count` (cheap, polled
 * while events flow) or `report` (sorts the latencies, asked once at the end).
 */
export const SUBSCRIBER_CONTROL_SUBJECT = 'bench-control.added';

export interface SubscriberReport {
  readonly handled: number;
  /** Publish-to-handled time over the timed events, in ms; absent for `count`. */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

export interface Reporting {
  count(): SubscriberReport;
  report(): SubscriberReport;
}

/** Subscriber side: answers on `nc`, a connection of its own so the answers stay off the measured path. */
export async function answerSubscriberControl(nc: NatsConnection, reporting: Reporting): Promise<void> {
  nc.subscribe(SUBSCRIBER_CONTROL_SUBJECT, {
    callback: (error, msg) => {
      if (error) return;
      msg.respond(JSON.stringify(msg.string() === 'report' ? reporting.report() : reporting.count()));
    },
  });
  await nc.flush();
}

// Fine enough against runs of seconds, rare enough not to load the subscriber.
const POLL_MS = 5;

/** Publisher side: resolves once the subscriber has handled `count` events in total; rejects after `timeoutMs`. */
export async function waitForHandled(nc: NatsConnection, count: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { handled } = await askSubscriber(nc, 'count');
    if (handled >= count) return;
    if (performance.now() > deadline) {
      throw new Error(`the subscriber handled ${handled} of ${count} events within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function askSubscriber(nc: NatsConnection, question: 'count' | 'report'): Promise<SubscriberReport> {
  const reply = await nc.request(SUBSCRIBER_CONTROL_SUBJECT, question, { timeout: 5000 });
  return reply.json<SubscriberReport>();
}
