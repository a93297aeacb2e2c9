import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { CATGA_METRICS_REGISTRY } from './metrics.tokens.js';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(CATGA_METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
