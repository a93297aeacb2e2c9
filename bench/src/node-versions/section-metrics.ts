import type { Section } from '../cli-options.js';

/** One row of a section's results, reduced to the number compared across Node versions. */
export interface MetricRow {
  readonly scenario: string;
  readonly value: number;
}

export interface SectionMetric {
  /** The file the section writes, untagged. */
  readonly file: string;
  /** What `value` is: `ops/s`, `sagas/s`. */
  readonly unit: string;
  /** True when more is better (throughput), false for times. */
  readonly higherIsBetter: boolean;
  /** The rows of the parsed results file, in its order. */
  rows(results: unknown): MetricRow[];
}

// The parts of each section's results file read here; the sections write more.
interface CoreFile {
  readonly results: readonly { readonly label: string; readonly mode: string; readonly opsPerSec: number }[];
}
interface DistributedFile {
  readonly results: readonly { readonly label: string; readonly inFlight: number; readonly opsPerSec: number }[];
}
interface SagasFile {
  readonly rows: readonly { readonly replicas: number; readonly sagasPerSecond: number }[];
}
interface ScalingFile {
  readonly rows: readonly { readonly replicas: number; readonly ordersPerSecond: number }[];
}
interface FailoverFile {
  readonly rows: readonly { readonly faultLabel: string; readonly modeLabel: string; readonly recoveryP50Ms: number }[];
}

const replicasLabel = (n: number) => `${n} order-service replica${n === 1 ? '' : 's'}`;

export const SECTION_METRICS: Readonly<Record<Section, SectionMetric>> = {
  'in-process': {
    file: 'core.json',
    unit: 'ops/s',
    higherIsBetter: true,
    rows: (f) => (f as CoreFile).results.map((r) => ({ scenario: `${r.label}, ${r.mode}`, value: r.opsPerSec })),
  },
  distributed: {
    file: 'distributed.json',
    unit: 'ops/s',
    higherIsBetter: true,
    rows: (f) => (f as DistributedFile).results.map((r) => ({ scenario: `${r.label}, ${r.inFlight} in flight`, value: r.opsPerSec })),
  },
  sagas: {
    file: 'sagas.json',
    unit: 'sagas/s',
    higherIsBetter: true,
    rows: (f) => (f as SagasFile).rows.map((r) => ({ scenario: replicasLabel(r.replicas), value: r.sagasPerSecond })),
  },
  scaling: {
    file: 'scaling.json',
    unit: 'orders/s',
    higherIsBetter: true,
    rows: (f) => (f as ScalingFile).rows.map((r) => ({ scenario: replicasLabel(r.replicas), value: r.ordersPerSecond })),
  },
  failover: {
    file: 'failover.json',
    unit: 'recovery p50 ms',
    higherIsBetter: false,
    rows: (f) => (f as FailoverFile).rows.map((r) => ({ scenario: `${r.faultLabel}, ${r.modeLabel}`, value: r.recoveryP50Ms })),
  },
};
