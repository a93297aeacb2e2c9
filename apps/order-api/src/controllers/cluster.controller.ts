import {
  CATGA_SAGA_STORE,
  CATGA_SETTINGS,
  CatgaCluster,
  type CatgaSettings,
  type ClusterEvent,
  type ClusterMember,
  type ClusterTopology,
  type ClusterTraffic,
  type SagaStatus,
  type SagaStore,
} from '@catga/core';
import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { DASHBOARD_CSP, DASHBOARD_PAGE } from '../dashboard/dashboard.page.js';

export interface ClusterSnapshot {
  at: number;
  self: { service: string; instance: string };
  /** Without their traffic windows, which `GET /api/cluster/traffic` serves summed up. */
  members: Array<Omit<ClusterMember, 'traffic'>>;
  /** Sagas by status in the saga store this instance uses (shared when it is Redis). */
  sagas: Record<SagaStatus, number>;
  events: ClusterEvent[];
}

export interface TrafficSnapshot {
  at: number;
  /** Per service and message type, bucket by heartbeat, from every instance's announcements. */
  traffic: ClusterTraffic;
  /** Services and the message types between them. */
  topology: ClusterTopology;
}

/** The live cluster as this instance sees it, as JSON and as a page. */
@Controller()
export class ClusterController {
  constructor(
    private readonly cluster: CatgaCluster,
    @Inject(CATGA_SAGA_STORE) private readonly sagas: SagaStore,
    @Inject(CATGA_SETTINGS) private readonly settings: CatgaSettings,
  ) {}

  @Get('api/cluster')
  async snapshot(): Promise<ClusterSnapshot> {
    return {
      at: Date.now(),
      self: { service: this.settings.serviceName, instance: this.settings.instanceId },
      members: this.cluster.view().map(({ traffic: _traffic, ...member }) => member),
      sagas: await this.sagas.countByStatus(),
      events: this.cluster.events(50),
    };
  }

  /** The last minutes of traffic (`since`: only the buckets after it, epoch ms) and the map. */
  @Get('api/cluster/traffic')
  traffic(@Query('since') since?: string): TrafficSnapshot {
    const after = Number(since);
    return {
      at: Date.now(),
      traffic: this.cluster.trafficHistory(Number.isFinite(after) && after > 0 ? after : undefined),
      topology: this.cluster.topology(),
    };
  }

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', DASHBOARD_CSP)
  @Header('x-content-type-options', 'nosniff')
  dashboard(): string {
    return DASHBOARD_PAGE;
  }
}
