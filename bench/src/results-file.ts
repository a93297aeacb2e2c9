import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

/**
 * Set by `--node` for its child runs (`node20`): each writes `core.node20.json` rather than
 * `core.json`, so the runs under different Node versions do not overwrite each other.
 */
export const RESULTS_TAG_ENV = 'CATGA_BENCH_RESULTS_TAG';

/** `core.json` with tag `node20`: `core.node20.json`; without a tag, `name` itself. */
export function resultsFileName(name: string, tag: string | undefined): string {
  if (!tag) return name;
  const dot = name.lastIndexOf('.');
  return dot < 0 ? `${name}.${tag}` : `${name.slice(0, dot)}.${tag}${name.slice(dot)}`;
}

/** Writes `bench-results/<name>` (tagged by CATGA_BENCH_RESULTS_TAG when set) and returns its path. */
export async function writeResultsFile(name: string, report: object): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${resultsFileName(name, process.env[RESULTS_TAG_ENV])}`;
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
