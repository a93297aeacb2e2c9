export type Section = 'in-process' | 'distributed' | 'sagas' | 'scaling' | 'failover';

const SECTIONS: readonly Section[] = ['in-process', 'distributed', 'sagas', 'scaling', 'failover'];

export interface CliOptions {
  readonly quick: boolean;
  /** The sections to run, in order; `--only=<section>` picks one. */
  readonly sections: readonly Section[];
}

export function parseCliOptions(args: readonly string[]): CliOptions {
  let sections = SECTIONS;
  for (const arg of args) {
    if (arg === '--quick') continue;
    const only = /^--only=(.*)$/.exec(arg)?.[1];
    if (only !== undefined && (SECTIONS as readonly string[]).includes(only)) sections = [only as Section];
    else throw new Error(`unknown argument ${arg}; usage: index.js [--quick] [--only=${SECTIONS.join('|')}]`);
  }
  return { quick: args.includes('--quick'), sections };
}
