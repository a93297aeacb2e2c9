import { execFile, spawn } from 'node:child_process';
import { access, constants, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NodeBinary {
  readonly major: number;
  /** `v20.20.2` */
  readonly version: string;
  /** The `node` executable. */
  readonly path: string;
}

/**
 * A Node of the given major, found as .ci/run finds it: this process's own Node or a `node` on
 * PATH (any entry, not only the first, so the machine's Node is found behind another one put
 * first), else the official binary from the npm registry (`node-<platform>-<arch>@<major>`),
 * cached outside the repo in CATGA_NODE_CACHE or ~/.cache/catga-node/<major>.
 */
export async function nodeBinary(major: number): Promise<NodeBinary> {
  const dir = path.join(process.env.CATGA_NODE_CACHE ?? path.join(os.homedir(), '.cache', 'catga-node'), String(major));
  const packageName = `node-${process.platform}-${process.arch}`;
  const cached = path.join(dir, 'node_modules', packageName, 'bin', 'node');
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = [...new Set([process.execPath, ...onPath.map((d) => path.join(d, 'node')), cached])];
  for (const candidate of candidates) {
    const found = await nodeAt(candidate);
    if (found?.major === major) return found;
  }
  process.stderr.write(`fetching Node ${major} (${packageName}@${major}) into ${dir}\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await npmInstall(dir, `${packageName}@${major}`);
  const fetched = await nodeAt(cached);
  if (fetched?.major !== major) throw new Error(`Node ${major} is not runnable from ${cached}`);
  return fetched;
}

/** The Node at `file`, or undefined when there is none or it does not run. */
async function nodeAt(file: string): Promise<NodeBinary | undefined> {
  try {
    await access(file, constants.X_OK);
    const { stdout } = await run(file, ['-p', 'process.version'], { timeout: 30_000 });
    const version = stdout.trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    return Number.isInteger(major) ? { major, version, path: file } : undefined;
  } catch {
    return undefined;
  }
}

/** `npm install` of one package into `prefix`, its output on this process's stderr. */
function npmInstall(prefix: string, spec: string): Promise<void> {
  const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', spec];
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { stdio: ['ignore', 2, 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} exited with ${String(code)}`))));
  });
}
