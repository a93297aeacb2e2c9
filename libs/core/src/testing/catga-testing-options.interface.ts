import type { LoggerService, LogLevel, ModuleMetadata } from '@nestjs/common';
import type { CatgaModuleOptions } from '../module/catga-options.interface.js';

/** `CatgaModule` options under test: the transport and `preferLocal` are the harness's. */
export type CatgaTestingCatgaOptions = Omit<CatgaModuleOptions, 'transport' | 'preferLocal'>;

export interface CatgaTestingOptions {
  /** Passed to `CatgaModule.forRoot`. The harness's defaults: `serviceName: 'service-under-test'`, `cluster: false`, `saga.recoveryIntervalMs: 0`. */
  catga?: CatgaTestingCatgaOptions;
  /** Deliveries of an event before it is dead-lettered. Default 3. */
  maxDeliveries?: number;
  /** Delay before the n-th redelivery: `redeliveryDelayMs * 2^(n-1)`. Default 5. */
  redeliveryDelayMs?: number;
}

export interface CatgaTestingModuleOptions extends CatgaTestingOptions, Pick<ModuleMetadata, 'imports' | 'providers'> {
  /** The Nest logger of the application. Default `false` (silent). */
  logger?: LoggerService | LogLevel[] | false;
}
