import type { BenchTarget } from './bench-target.js';

export type { BenchTarget } from './bench-target.js';

export interface Scenario {
  readonly name: string;
  readonly label: string;
  /** Imported lazily so a worker loads only its own scenario (the raw one must not load Catga). */
  boot(): Promise<BenchTarget>;
}

export const BASELINE_SCENARIO = 'raw-cqrs';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: BASELINE_SCENARIO,
    label: '@nestjs/cqrs CommandBus.execute',
    boot: async () => (await import('./raw-cqrs.scenario.js')).bootRawCqrs(),
  },
  {
    name: 'raw-cqrs-async-context',
    label: '@nestjs/cqrs + active AsyncLocalStorage',
    boot: async () => (await import('./raw-cqrs-async-context.scenario.js')).bootRawCqrsWithAsyncContext(),
  },
  {
    name: 'catga-minimal-send',
    label: 'Catga minimal, CatgaMediator.send',
    boot: async () => (await import('./catga-minimal-send.scenario.js')).bootCatgaMinimalSend(),
  },
  {
    name: 'catga-minimal-bus',
    label: 'Catga minimal, CommandBus.execute',
    boot: async () => (await import('./catga-minimal-bus.scenario.js')).bootCatgaMinimalBus(),
  },
  {
    name: 'catga-observed-send',
    label: 'Catga minimal + tracing (SDK, no exporter) + metrics',
    boot: async () => (await import('./catga-observed-send.scenario.js')).bootCatgaObservedSend(),
  },
  {
    name: 'catga-observed-sampled-send',
    label: 'Catga minimal + tracing (SDK, 10% sampled) + metrics',
    boot: async () => (await import('./catga-observed-send.scenario.js')).bootCatgaObservedSend(0.1),
  },
  {
    name: 'catga-default-send',
    label: 'Catga default, CatgaMediator.send',
    boot: async () => (await import('./catga-default-send.scenario.js')).bootCatgaDefaultSend(),
  },
  {
    name: 'catga-default-keyed-send',
    label: 'Catga default, send with a messageId',
    boot: async () => (await import('./catga-default-send.scenario.js')).bootCatgaDefaultSend(true),
  },
];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
