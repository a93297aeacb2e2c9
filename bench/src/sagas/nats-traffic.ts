import type { NatsMonitor } from '@catga/testing';

/** nats-server's message counters (`/varz`): in = messages it received from its connections, out = messages it delivered to them. */
export interface NatsTraffic {
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

/** The server's counters so far. Reading them is HTTP on the monitoring port, no NATS message. */
export async function natsTraffic(monitor: NatsMonitor): Promise<NatsTraffic> {
  const varz = await monitor.varz();
  const counter = (field: string) => {
    const value = varz[field];
    if (typeof value !== 'number') throw new Error(`/varz has no number ${field}: ${JSON.stringify(value)}`);
    return value;
  };
  return { inMsgs: counter('in_msgs'), outMsgs: counter('out_msgs'), inBytes: counter('in_bytes'), outBytes: counter('out_bytes') };
}

export function natsTrafficBetween(before: NatsTraffic, after: NatsTraffic): NatsTraffic {
  return {
    inMsgs: after.inMsgs - before.inMsgs,
    outMsgs: after.outMsgs - before.outMsgs,
    inBytes: after.inBytes - before.inBytes,
    outBytes: after.outBytes - before.outBytes,
  };
}
