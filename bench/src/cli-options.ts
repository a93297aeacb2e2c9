export type Section = 'in-process' | 'distributed' | 'sagas' | 'scaling' | 'failover';

export const SECTIONS: readonly Section[] = ['in-process', 'distributed', 'sagas', 'scaling', 'failover'];

export interface CliOptions {
  readonly quick: boolean;
  /** The sections to run, in order; `--only=<section>` picks one. */
  readonly sections: readonly Section[];
  /**
   * `--node=<major>[,<major>...]`: run the sections under each of these Node majors, each in a
   * child process, and compare them; ascending, no repeats. Empty: run them in this process's Node.
   */
  readonly nodeMajors: readonly number[];
}

const USAGE = `usage: index.js [--quick] [--only=${SECTIONS.join('|')}] [--node=<major>[,<major>...]]`;

export function parseCliOptions(args: readonly string[]): CliOptions {
  let sections = SECTIONS;
  let nodeMajors: readonly number[] = [];
  for (const arg of args) {
    if (arg === '--quick') continue;
    const only = /^--only=(.*)$/.exec(arg)?.[1];
    const node = /^--node=(.*)$/.exec(arg)?.[1];
    if (only !== undefined && (SECTIONS as readonly string[]).includes(only)) sections = [only as Section];
    else if (node !== undefined) nodeMajors = parseNodeMajors(node);
    else throw new Error(`unknown argument ${arg}; ${USAGE}`);
  }
  return { quick: args.includes('--quick'), sections, nodeMajors };
}

function parseNodeMajors(list: string): number[] {
  const majors = list.split(',').map((m) => m.trim());
  if (majors.some((m) => !/^[1-9]\d*$/.test(m))) throw new Error(`--node=${list}: expected Node majors such as 20,24; ${USAGE}`);
  return [...new Set(majors.map(Number))].sort((a, b) => a - b);
}
