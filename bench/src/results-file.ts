import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

/** Writes `bench-results/<name>` and returns its path. */
export async function writeResultsFile(name: string, report: object): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}`;
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
