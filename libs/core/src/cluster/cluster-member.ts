import type { TrafficWindow } from '../traffic/traffic-window.js';

/** What an instance announces about itself on the presence channel, every heartbeat. */
export interface InstanceAnnouncement {
  service: string;
  instance: string;
  /** `left` is the last word of an instance shutting down. */
  state: 'ready' | 'draining' | 'left';
  startedAt: number;
  /** When the instance sent this (its clock). */
  at: number;
  /** Handlings finished since start: succeeded and failed. */
  handled: number;
  failed: number;
  inFlight: number;
  sagasActive: number;
  transport: string;
  connected: boolean;
  reconnects: number;
  /** Where the transport's liveness channel reaches it (`<service>:<instance>@<epoch>`); absent from older versions. */
  address?: string;
  /**
   * The request types (commands and queries) it serves, so a caller tells a restart of their
   * service from a type nobody serves; absent from older versions, and when the list would make
   * the announcement too large.
   */
  handles?: readonly string[];
  /**
   * What it did since its previous announcement, per message type (handled, failed, p50/p99,
   * sent, published), and its sagas and dead letters; the busiest types first when they do not
   * all fit. Absent from older versions.
   */
  traffic?: TrafficWindow;
}

/** An instance as this one sees it: `suspect` when its heartbeats stopped, `gone` after it left or was lost. */
export interface ClusterMember extends InstanceAnnouncement {
  status: 'ready' | 'draining' | 'suspect' | 'gone';
  /** When this instance last heard from it (this instance's clock). */
  lastSeen: number;
  self: boolean;
}

export type ClusterEventKind = 'joined' | 'draining' | 'left' | 'suspect' | 'lost' | 'back' | 'disconnected' | 'reconnected';

/** A change in the cluster this instance noticed. */
export interface ClusterEvent {
  at: number;
  kind: ClusterEventKind;
  service: string;
  instance: string;
  detail?: string;
}

/** Membership settings with their defaults applied, and who this instance is. */
export type ClusterSettings = Readonly<Required<ClusterOptions>> & {
  /** `false` when the options said `cluster: false`. */
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly instanceId: string;
};

export interface ClusterOptions {
  /** How often each instance announces itself, in ms. Default 2000. */
  heartbeatMs?: number;
  /** Heartbeats missed before an instance is `suspect`. Default 3; lost (gone) after twice that. */
  suspectAfterBeats?: number;
  /** Recent events kept. Default 200. */
  eventLimit?: number;
  /** Instances kept in the view; announcements of new ones beyond it are refused. Default 1000. */
  maxMembers?: number;
  /**
   * How often the members are asked, through the transport's liveness channel, whether they still
   * run, in ms: a killed one is lost within about this, not after missed heartbeats. 0: heartbeats only. Default 500.
   */
  livenessCheckMs?: number;
  /** How far back the cluster's traffic is kept (`CatgaCluster.traffic`), in ms, at the heartbeat's resolution. Default 600000 (10 min). */
  historyMs?: number;
  /** The most service and message type pairs the traffic history keeps; further ones are not charted. Default 1000. */
  historySeries?: number;
}
