import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

// Debian installs nats-server under /usr/sbin, which is not on PATH for every user.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface FindBinaryOptions {
  /** Environment variable that, when set, names the binary to use instead. */
  readonly envVar?: string;
  /** Return undefined instead of throwing when the binary is nowhere to be found. */
  readonly optional?: boolean;
}

/** Absolute path of an executable: `$envVar` if set, else PATH, else the usual system dirs. */
export function findBinary(name: string, options: FindBinaryOptions & { readonly optional: true }): string | undefined;
export function findBinary(name: string, options?: FindBinaryOptions): string;
export function findBinary(name: string, options: FindBinaryOptions = {}): string | undefined {
  const { envVar } = options;
  const override = envVar ? process.env[envVar] : undefined;
  if (override) return override;
  if (isAbsolute(name)) return name;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  if (options.optional) return undefined;
  throw new Error(`${name} not found on PATH or in ${EXTRA_DIRS.join(', ')}${envVar ? `; set ${envVar}` : ''}`);
}
