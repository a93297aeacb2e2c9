import { Module, type DynamicModule } from '@nestjs/common';
import {
  CATGA_OPERATIONS_ACCESS,
  OperationsActionGuard,
  resolveOperationsAccess,
  type CatgaOperationsOptions,
} from './operations-access.js';
import { OperationsController } from './operations.controller.js';

/**
 * `/api/ops`: dead letters and sagas to look at and, with `CATGA_DASHBOARD_ACTIONS=true` and
 * `CATGA_OPERATOR_TOKEN`, to redrive, purge, retry and abort (docs/operations.md). Import next to
 * `CatgaModule`.
 */
@Module({})
export class CatgaOperationsModule {
  static forRoot(options: CatgaOperationsOptions = {}): DynamicModule {
    return {
      module: CatgaOperationsModule,
      controllers: [OperationsController],
      providers: [{ provide: CATGA_OPERATIONS_ACCESS, useValue: resolveOperationsAccess(options) }, OperationsActionGuard],
    };
  }
}
