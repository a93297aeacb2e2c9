import { CATGA_MICROSERVICES_ROW, CATGA_REQUEST_ROWS, NEST_MICROSERVICES_ROW } from './distributed-scenarios.js';
import type { DistributedRow } from './distributed-report.js';

/**
 * The goals: Catga keeps at least 0.8x raw nats.js throughput at full load (requests, and events
 * against raw JetStream), and beats @nestjs/microservices.
 */
export const CATGA_TO_RAW_NATS_MIN = 0.8;

export interface DistributedTargetCheck {
  readonly target: string;
  readonly scenario: string;
  readonly inFlight: number;
  readonly ratio: number;
  readonly met: boolean;
}

export function checkDistributedTargets(rows: readonly DistributedRow[]): DistributedTargetCheck[] {
  const checks: DistributedTargetCheck[] = [];
  const catgaRows = rows.filter((r) => (CATGA_REQUEST_ROWS as readonly string[]).includes(r.scenario));
  const maxInFlight = Math.max(...catgaRows.map((r) => r.inFlight));
  for (const r of rows.filter((e) => e.scenario === 'catga-publish-handled')) {
    checks.push({
      target: `>= ${CATGA_TO_RAW_NATS_MIN}x raw JetStream`,
      scenario: r.scenario,
      inFlight: r.inFlight,
      ratio: r.ratioToBaseline,
      met: r.ratioToBaseline >= CATGA_TO_RAW_NATS_MIN,
    });
  }
  for (const r of catgaRows) {
    if (r.inFlight === maxInFlight) {
      checks.push({
        target: `>= ${CATGA_TO_RAW_NATS_MIN}x raw nats.js`,
        scenario: r.scenario,
        inFlight: r.inFlight,
        ratio: r.ratioToBaseline,
        met: r.ratioToBaseline >= CATGA_TO_RAW_NATS_MIN,
      });
    }
    const nest = rows.find((n) => n.scenario === NEST_MICROSERVICES_ROW && n.inFlight === r.inFlight);
    if (nest) {
      const ratio = r.opsPerSec / nest.opsPerSec;
      checks.push({ target: 'ahead of @nestjs/microservices', scenario: r.scenario, inFlight: r.inFlight, ratio, met: ratio > 1 });
    }
  }
  return checks;
}

export interface NestComparison {
  readonly scenario: string;
  readonly inFlight: number;
  /** Throughput over the @nestjs/microservices row at the same in-flight level. */
  readonly ratio: number;
}

/** The same `@MessagePattern` handler on the Catga strategy beside Nest's own NATS transport; reported, not a target. */
export function compareToNestMicroservices(rows: readonly DistributedRow[]): NestComparison[] {
  return rows
    .filter((r) => r.scenario === CATGA_MICROSERVICES_ROW)
    .flatMap((r) => {
      const nest = rows.find((n) => n.scenario === NEST_MICROSERVICES_ROW && n.inFlight === r.inFlight);
      return nest ? [{ scenario: r.scenario, inFlight: r.inFlight, ratio: r.opsPerSec / nest.opsPerSec }] : [];
    });
}
