/** What an adapter says about its own health: used by readiness checks. */
export interface HealthReport {
  up: boolean;
  details: Record<string, unknown>;
}

/** A transport or store that can tell whether it is healthy. */
export interface HealthReporting {
  health(): Promise<HealthReport>;
}

export function reportsHealth(value: unknown): value is HealthReporting {
  return typeof (value as Partial<HealthReporting> | null)?.health === 'function';
}
