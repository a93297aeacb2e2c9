import { hostname } from 'node:os';
import type { CatgaModuleOptions } from './catga-options.interface.js';

/** Options with defaults and environment applied. */
export interface CatgaSettings {
  serviceName: string;
  instanceId: string;
  preferLocal: boolean;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
}

export function resolveSettings(options: CatgaModuleOptions, env: NodeJS.ProcessEnv = process.env): CatgaSettings {
  return {
    serviceName: options.serviceName ?? env.CATGA_SERVICE_NAME ?? 'catga',
    instanceId: options.instanceId ?? env.CATGA_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    preferLocal: options.preferLocal ?? true,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 25_000,
  };
}
