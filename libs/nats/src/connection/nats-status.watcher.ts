import type { TransportSignals } from '@catga/core/transport';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';

/** Logs each disconnect and reconnect and reports it as a `connection` signal, until the connection closes. */
export async function watchNatsStatus(nc: NatsConnection, transport: string, signals: TransportSignals, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') {
      logger.warn(`Disconnected from NATS ${status.server}`);
      signals.emit('connection', { transport, connected: false, reconnected: false, server: status.server });
    } else if (status.type === 'reconnect') {
      logger.log(`Reconnected to NATS ${status.server}`);
      signals.emit('connection', { transport, connected: true, reconnected: true, server: status.server });
    }
  }
}
