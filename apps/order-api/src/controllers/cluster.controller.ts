import {
  CATGA_SAGA_STORE,
  CATGA_SETTINGS,
  CatgaCluster,
  type CatgaSettings,
  type ClusterEvent,
  type ClusterMember,
  type SagaStatus,
  type SagaStore,
} from '@catga/core';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DASHBOARD_CSP, DASHBOARD_PAGE } from '../dashboard/dashboard.page.js';

export interface ClusterSnapshot {
  at: number;
  self: { service: string; instance: string };
  members: ClusterMember[];
  /** Sagas by status in the saga store this instance uses (shared when it is Redis). */
  sagas: Record<SagaStatus, number>;
  events: ClusterEvent[];
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
      members: this.cluster.view(),
      sagas: await this.sagas.countByStatus(),
      events: this.cluster.events(50),
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
