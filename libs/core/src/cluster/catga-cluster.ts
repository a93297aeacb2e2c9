import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HandlerRegistry } from '../handlers/handler.registry.js';
import type { Dispatcher } from '../mediator/dispatcher.js';
import { HandlerSightings } from '../mediator/handler-sightings.js';
import { CatgaLifecycle } from '../lifecycle/catga-lifecycle.js';
import { PeerLiveness } from '../liveness/peer-liveness.js';
import { CatgaSignals } from '../signals/catga-signals.js';
import { CATGA_CLUSTER_SETTINGS, CATGA_DISPATCHER, CATGA_TRANSPORT } from '../tokens/catga.tokens.js';
import { SagaOrchestrator } from '../saga/saga.orchestrator.js';
import type { Transport, TransportSubscription } from '../transport/transport.interface.js';
import { TrafficMeter } from '../traffic/traffic-meter.js';
import type { TrafficWindow } from '../traffic/traffic-window.js';
import { encodeAnnouncement } from './announcement.encoder.js';
import { parseAnnouncement } from './announcement.parser.js';
import type { ClusterEvent, ClusterEventKind, ClusterMember, ClusterSettings, InstanceAnnouncement } from './cluster-member.js';
import { clusterTopology, type ClusterTopology } from './cluster-topology.js';
import { TrafficHistory, type ClusterTraffic } from './traffic-history.js';

const GONE_KEPT_MS = 120_000;
/** The longest a newcomer's announcement waits for each member's answer; beyond it a type not heard of is unknown. */
const ROLL_CALL_MS = 500;
/** The shortest pause between two announcements of one instance answering newcomers. */
const ANSWER_SPACING_MS = 250;
/** The edges of the map carry the mean rate over this long. */
const EDGE_RATE_WINDOW_MS = 10_000;

/**
 * Cluster membership without a master: every instance announces itself on the transport's
 * presence channel each heartbeat (state, load, connection) and keeps a view of all the others,
 * with the changes it noticed (joined, draining, left, heartbeats stopped, reconnected). Between
 * heartbeats it asks the members through the transport's liveness channel whether they still
 * run, so a killed instance is lost within `livenessCheckMs`. A newcomer is answered with an
 * announcement at once, so it knows within `ROLL_CALL_MS` which request types the others serve.
 */
@Injectable()
export class CatgaCluster implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger('CatgaCluster');
  private readonly members = new Map<string, ClusterMember>();
  private readonly recent: ClusterEvent[] = [];
  private readonly startedAt = Date.now();
  private readonly heartbeatMs: number;
  private readonly suspectAfterMs: number;
  private readonly eventLimit: number;
  private readonly enabled: boolean;
  private timer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private subscription: TransportSubscription | undefined;
  private connected = true;
  private reconnects = 0;
  private stopSignals: (() => void) | undefined;
  /** Announcements not taken: malformed, or from a new instance beyond `maxMembers`. */
  private refused = 0;
  private lastSentAt = 0;
  private answerTimer: NodeJS.Timeout | undefined;
  private handlesDropped = false;
  private trafficTrimmed = false;
  private lastWindow: TrafficWindow | undefined;
  private readonly history: TrafficHistory;

  constructor(
    @Inject(CATGA_CLUSTER_SETTINGS) private readonly settings: ClusterSettings,
    @Inject(CATGA_TRANSPORT) private readonly transport: Transport,
    @Inject(CATGA_DISPATCHER) private readonly dispatcher: Dispatcher,
    private readonly lifecycle: CatgaLifecycle,
    private readonly sagas: SagaOrchestrator,
    signals: CatgaSignals,
    private readonly liveness: PeerLiveness,
    private readonly registry: HandlerRegistry,
    private readonly sightings: HandlerSightings,
    private readonly traffic: TrafficMeter,
  ) {
    this.enabled = settings.enabled && transport.presence !== undefined;
    this.history = new TrafficHistory(settings.heartbeatMs, settings.historyMs, settings.historySeries);
    this.heartbeatMs = settings.heartbeatMs;
    this.suspectAfterMs = settings.heartbeatMs * settings.suspectAfterBeats;
    this.eventLimit = settings.eventLimit;
    this.stopSignals = signals.on('connection', ({ connected, reconnected, server }) => {
      this.connected = connected;
      if (reconnected) this.reconnects++;
      if (this.enabled && (reconnected || !connected)) {
        this.note(connected ? 'reconnected' : 'disconnected', this.settings.serviceName, this.settings.instanceId, server);
      }
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.members.set(this.settings.instanceId, { ...this.announcement('ready'), status: 'ready', lastSeen: Date.now(), self: true });
    if (!this.enabled) return;
    this.subscription = await this.transport.presence!.listen((body) => this.receive(body));
    this.sightings.listening(Math.min(ROLL_CALL_MS, this.heartbeatMs));
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
    if (this.liveness.enabled && this.settings.livenessCheckMs > 0) {
      this.livenessTimer = setInterval(() => void this.checkLiveness(), this.settings.livenessCheckMs);
      this.livenessTimer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.timer = undefined;
    this.livenessTimer = undefined;
    this.answerTimer = undefined;
    if (this.enabled) await this.send('left');
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.stopSignals?.();
    await this.subscription?.unsubscribe().catch(() => undefined);
  }

  /** Announcements refused since start: malformed, oversized, or from a new instance beyond `maxMembers`. */
  get refusedAnnouncements(): number {
    return this.refused;
  }

  /** Every instance this one knows of, itself included, by service then instance. */
  view(): ClusterMember[] {
    this.sweep(Date.now());
    const self = this.members.get(this.settings.instanceId)!;
    Object.assign(self, this.announcement(this.lifecycle.draining ? 'draining' : 'ready'), { lastSeen: Date.now() });
    self.status = self.state === 'draining' ? 'draining' : 'ready';
    return [...this.members.values()].sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
  }

  /**
   * What the cluster did over the last `historyMs`, bucket by heartbeat, from every instance's
   * announcements (this one's included): only the buckets after `since` when given.
   */
  trafficHistory(since?: number): ClusterTraffic {
    return this.history.snapshot(since);
  }

  /** The services and the message types between them, with their recent rates. */
  topology(): ClusterTopology {
    return clusterTopology(this.view(), this.history.recentRates(EDGE_RATE_WINDOW_MS));
  }

  /** The changes noticed, newest first. */
  events(limit = this.eventLimit): ClusterEvent[] {
    return this.recent.slice(-limit).reverse();
  }

  private async beat(): Promise<void> {
    this.sweep(Date.now());
    await this.send(this.lifecycle.draining ? 'draining' : 'ready');
  }

  /**
   * Marks lost every member the transport says is gone (its connection closed: killed, stopped),
   * and suspect one that is silent past the probe timeout (frozen, cut off, or only busy: its next
   * announcement makes it ready again, and missed heartbeats make it lost).
   */
  private async checkLiveness(): Promise<void> {
    const asked = [...this.members.values()].filter((m) => !m.self && m.status !== 'gone' && m.address !== undefined);
    await Promise.all(
      asked.map(async (m) => {
        const liveness = await this.liveness.check(m.address!);
        if (liveness !== 'gone' && liveness !== 'silent') return;
        const current = this.members.get(m.instance);
        // A newer announcement may have arrived while the check ran: it wins.
        if (current !== m || m.status === 'gone') return;
        if (liveness === 'gone') {
          m.status = 'gone';
          this.note('lost', m.service, m.instance, 'not reachable on the transport');
        } else if (m.status !== 'suspect') {
          m.status = 'suspect';
          this.note('suspect', m.service, m.instance, `no answer on the transport within ${this.liveness.probeTimeoutMs} ms`);
        }
      }),
    );
  }

  private async send(state: InstanceAnnouncement['state']): Promise<void> {
    this.lastSentAt = Date.now();
    try {
      this.lastWindow = this.traffic.take(this.handledTypes(), this.lastSentAt);
      this.history.add(this.settings.serviceName, this.lastWindow, this.lastSentAt);
      const announcement = this.announcement(state);
      const { body, trafficTrimmed, handlesDropped } = encodeAnnouncement(announcement);
      if (trafficTrimmed > 0 && !this.trafficTrimmed)
        this.logger.warn(
          `${announcement.traffic?.types.length} traffic types do not fit an announcement; sent without the ${trafficTrimmed} idlest`,
        );
      this.trafficTrimmed ||= trafficTrimmed > 0;
      if (handlesDropped && !this.handlesDropped)
        this.logger.warn(`${announcement.handles?.length} handled types do not fit an announcement; sent without them`);
      this.handlesDropped ||= handlesDropped;
      await this.transport.presence!.announce(body);
    } catch (error) {
      this.logger.debug?.(`Presence announcement failed: ${String(error)}`);
    }
  }

  private handledTypes(): Array<{ type: string; kind: 'command' | 'query' | 'event' }> {
    const types = [...this.registry.requestTypes()].map(({ type, kind }) => ({ type, kind }));
    for (const [type] of this.registry.eventTypes()) types.push({ type, kind: 'event' });
    return types;
  }

  private announcement(state: InstanceAnnouncement['state']): InstanceAnnouncement {
    return {
      service: this.settings.serviceName,
      instance: this.settings.instanceId,
      state,
      startedAt: this.startedAt,
      at: Date.now(),
      handled: this.dispatcher.handledCount,
      failed: this.dispatcher.failedCount,
      inFlight: this.dispatcher.inFlightCount,
      sagasActive: this.sagas.activeCount,
      transport: this.transport.name,
      connected: this.connected,
      reconnects: this.reconnects,
      address: this.liveness.self,
      handles: [...this.registry.requestTypes()].map((h) => h.type).sort(),
      ...(this.lastWindow ? { traffic: this.lastWindow } : {}),
    };
  }

  /**
   * A newcomer has heard nobody yet: announce now rather than at the next heartbeat, at most once
   * per `ANSWER_SPACING_MS` however many arrive (or are forged).
   */
  private answerNewcomer(): void {
    if (this.answerTimer || !this.timer) return;
    const wait = Math.max(0, this.lastSentAt + Math.min(ANSWER_SPACING_MS, this.heartbeatMs) - Date.now());
    this.answerTimer = setTimeout(() => {
      this.answerTimer = undefined;
      if (this.timer) void this.beat();
    }, wait);
    this.answerTimer.unref();
  }

  /** Called by the transport's presence subscription: whatever a peer sent, it never throws. */
  private receive(body: Uint8Array): void {
    try {
      const a = parseAnnouncement(body);
      if (a) this.take(a);
      else this.refused++;
    } catch (error) {
      this.refused++;
      this.logger.warn(`Presence announcement not taken: ${String(error)}`);
    }
  }

  private take(a: InstanceAnnouncement): void {
    if (a.instance === this.settings.instanceId) return;
    const known = this.members.get(a.instance);
    if (!known && this.members.size >= this.settings.maxMembers && !this.makeRoom()) {
      this.refused++;
      return;
    }
    const status: ClusterMember['status'] = a.state === 'left' ? 'gone' : a.state;
    for (const type of a.handles ?? []) this.sightings.seen(type, a.service);
    if (a.traffic) this.history.add(a.service, a.traffic);
    if (!known || (known.status === 'gone' && status !== 'gone')) {
      this.note(known ? 'back' : 'joined', a.service, a.instance);
      if (status !== 'gone') this.answerNewcomer();
    } else if (known.status === 'suspect' && status !== 'gone') this.note('back', a.service, a.instance);
    if (a.state === 'draining' && known?.state !== 'draining') this.note('draining', a.service, a.instance);
    if (a.state === 'left' && known?.status !== 'gone') this.note('left', a.service, a.instance);
    if (known && a.reconnects > known.reconnects)
      this.note('reconnected', a.service, a.instance, `${a.transport} reconnect #${a.reconnects}`);
    if (known && !a.connected && known.connected) this.note('disconnected', a.service, a.instance, a.transport);
    this.members.set(a.instance, { ...a, status, lastSeen: Date.now(), self: false });
  }

  /**
   * With the view full, drops the member silent longest among those gone, else among those
   * suspect, so a flood of one-off forged ids cannot keep a new real instance out once they fall
   * silent. Members heard from within `suspectAfterMs` are never dropped.
   */
  private makeRoom(): boolean {
    this.sweep(Date.now());
    for (const status of ['gone', 'suspect'] as const) {
      let oldest: ClusterMember | undefined;
      for (const m of this.members.values()) {
        if (!m.self && m.status === status && (!oldest || m.lastSeen < oldest.lastSeen)) oldest = m;
      }
      if (oldest) {
        this.members.delete(oldest.instance);
        return true;
      }
    }
    return false;
  }

  private sweep(now: number): void {
    for (const [id, m] of this.members) {
      if (m.self) continue;
      const silent = now - m.lastSeen;
      if (m.status === 'gone') {
        if (silent > GONE_KEPT_MS) this.members.delete(id);
      } else if (silent > this.suspectAfterMs * 2) {
        m.status = 'gone';
        this.note('lost', m.service, m.instance, `no heartbeat for ${Math.round(silent / 1000)} s`);
      } else if (silent > this.suspectAfterMs && m.status !== 'suspect') {
        m.status = 'suspect';
        this.note('suspect', m.service, m.instance, `no heartbeat for ${Math.round(silent / 1000)} s`);
      }
    }
  }

  private note(kind: ClusterEventKind, service: string, instance: string, detail?: string): void {
    this.recent.push({ at: Date.now(), kind, service, instance, ...(detail ? { detail } : {}) });
    if (this.recent.length > this.eventLimit) this.recent.splice(0, this.recent.length - this.eventLimit);
  }
}
