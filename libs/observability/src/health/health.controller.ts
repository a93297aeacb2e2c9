import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { CatgaHealthIndicators } from './catga.health.js';

/** Terminus JSON: `/health` (everything), `/health/live` (process only), `/health/ready` (dependencies, draining). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: CatgaHealthIndicators,
  ) {}

  @Get()
  @HealthCheck()
  all(): Promise<HealthCheckResult> {
    const i = this.indicators;
    return this.health.check([() => i.process(), () => i.lifecycleState(), () => i.transportState(), () => i.storeState()]);
  }

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.process()]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const i = this.indicators;
    return this.health.check([() => i.lifecycleState(), () => i.transportState(), () => i.storeState()]);
  }
}
