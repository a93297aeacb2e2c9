import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CATGA_HEALTH_OPTIONS, CatgaHealthIndicators, type CatgaHealthOptions } from './catga.health.js';
import { HealthController } from './health.controller.js';

/** `GET /health`, `/health/live`, `/health/ready` with @nestjs/terminus. Import next to `CatgaModule`. */
@Module({})
export class CatgaHealthModule {
  static forRoot(options: CatgaHealthOptions = {}): DynamicModule {
    return {
      module: CatgaHealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: CATGA_HEALTH_OPTIONS, useValue: options }, CatgaHealthIndicators],
      exports: [CatgaHealthIndicators],
    };
  }
}
