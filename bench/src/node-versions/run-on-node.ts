import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Section } from '../cli-options.js';
import { RESULTS_TAG_ENV } from '../results-file.js';
import type { NodeBinary } from './node-binary.js';

const INDEX = fileURLToPath(new URL('../index.js', import.meta.url));

/** The results tag of the runs under a Node major: `node20`. */
export function nodeResultsTag(major: number): string {
  return `node${major}`;
}

/**
 * Runs `index.js --only=<section> [--quick]` under `node` with its output on this process's, its
 * results files tagged with the major; resolves with the exit code (a failed run is reported, not
 * thrown, so the other runs still go ahead).
 */
export function runSectionOnNode(node: NodeBinary, section: Section, quick: boolean): Promise<number> {
  const args = [INDEX, `--only=${section}`, ...(quick ? ['--quick'] : [])];
  // Its bin directory first on PATH, as .ci/run does, for anything that runs `node` by name.
  const env = {
    ...process.env,
    PATH: [path.dirname(node.path), process.env.PATH].filter(Boolean).join(path.delimiter),
    [RESULTS_TAG_ENV]: nodeResultsTag(node.major),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(node.path, args, { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
