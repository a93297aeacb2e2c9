import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** How many clock ticks /proc counts per second of CPU (CLK_TCK), and where that number came from. */
export interface ClockTicks {
  readonly perSecond: number;
  readonly source: 'os.constants' | 'getconf CLK_TCK' | 'assumed';
}

/** CLK_TCK from os.constants when Node has it (it does not today), else `getconf CLK_TCK`, else the Linux default of 100. */
export function clockTicks(): ClockTicks {
  const fromNode: unknown = Reflect.get(os.constants, 'CLK_TCK');
  if (typeof fromNode === 'number' && fromNode > 0) return { perSecond: fromNode, source: 'os.constants' };
  try {
    const fromGetconf = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(fromGetconf) && fromGetconf > 0) return { perSecond: fromGetconf, source: 'getconf CLK_TCK' };
  } catch {
    // No getconf: fall through to the default.
  }
  return { perSecond: 100, source: 'assumed' };
}

/**
 * CPU time another process has used so far, user plus system over all its threads, in ms:
 * utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (10 ms at 100 per second).
 */
export function processCpuMs(pid: number, ticks: ClockTicks): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2, the command name, is in parentheses and may hold spaces; field 3 starts after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot read utime/stime from /proc/${pid}/stat: ${stat}`);
  return ((utime + stime) * 1000) / ticks.perSecond;
}

/** CPU time this process has used so far, user plus system over all its threads, in ms (process.cpuUsage, µs resolution). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
