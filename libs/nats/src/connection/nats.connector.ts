import { TransportUnavailableError } from '@catga/core';
import type { HealthReport, TransportSignals } from '@catga/core/transport';

import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import { setUpStreams } from '../jetstream/stream.setup.js';
import type { NatsSettings } from '../nats-settings.js';
import type { Subjects } from '../subjects.js';
import { natsHealth } from './nats.health.js';
import { TurnWrites } from './turn-writes.js';
import { watchNatsStatus } from './nats-status.watcher.js';

/** A connection with the streams set up: what every other part of the transport works over. */
export interface NatsSession {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The acks of one event-loop turn, sent together. */
  readonly writes: TurnWrites;
}

/** Owns the one connection: opens it (status watched, streams set up), reports its health, closes it. */
export class NatsConnector {
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private readonly writes = new TurnWrites();
  private closed = false;

  constructor(
    private readonly settings: NatsSettings,
    private readonly subjects: Subjects,
    private readonly transport: string,
    private readonly signals: TransportSignals,
    private readonly logger: Logger,
  ) {}

  get connection(): NatsConnection {
    if (!this.nc) throw new TransportUnavailableError('The NATS transport is not started');
    return this.nc;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async open(): Promise<NatsSession> {
    const nc = await this.connect();
    this.nc = nc;
    this.signals.emit('connection', { transport: this.transport, connected: true, reconnected: false, server: nc.getServer() });
    void watchNatsStatus(nc, this.transport, this.signals, this.logger);
    const js = jetstream(nc);
    this.jsm = await setUpStreams(nc, this.settings, this.subjects, this.logger);
    return { nc, js, jsm: this.jsm, writes: this.writes };
  }

  health(): Promise<HealthReport> {
    return natsHealth(this.nc, this.jsm);
  }

  /** The sends of this turn go first; drain() on the connection flushes what nats.js buffered, then closes. */
  async close(): Promise<void> {
    this.closed = true;
    this.writes.flush();
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async connect(): Promise<NatsConnection> {
    const s = this.settings;
    try {
      return await connect({
        // Stack traces on every request halve throughput; errors here carry their own context.
        noAsyncTraces: true,
        ...s.connection,
        servers: [...s.servers],
        name: s.name,
        maxReconnectAttempts: s.maxReconnectAttempts,
        reconnectTimeWait: s.reconnectTimeWaitMs,
      });
    } catch (error) {
      throw new TransportUnavailableError(`Cannot connect to NATS at ${s.servers.join(', ')}: ${String(error)}`, { cause: error });
    }
  }
}
