import { CatgaCluster, CatgaOperations, type ClusterSnapshot, type ClusterTopology, type ClusterTraffic } from '@catga/core';
import { Controller, Get, Header, Query } from '@nestjs/common';
import { DASHBOARD_CSP, DASHBOARD_PAGE } from '../dashboard/dashboard.page.js';

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
    private readonly operations: CatgaOperations,
  ) {}

  @Get('api/cluster')
  snapshot(): Promise<ClusterSnapshot> {
    return this.operations.snapshot();
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
