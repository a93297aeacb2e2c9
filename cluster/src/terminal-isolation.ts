import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group at once. Started in a
 * session of their own, the servers and services hear only from the runner, which can then stop
 * the services first (they drain over NATS and Redis) and the servers after.
 *
 * @catga/testing starts nats-server and redis-server through `CATGA_NATS_SERVER_BIN` /
 * `CATGA_REDIS_SERVER_BIN`; these point at wrappers that `exec setsid` the real binary, so the pid
 * it tracks is the server's own. Returns the prefix to start services with (`['setsid']`), or an
 * empty prefix when `setsid` is not installed.
 */
export function isolateFromTerminal(binDir: string): readonly string[] {
  const setsid = findExecutable('setsid');
  if (setsid === undefined) return [];
  mkdirSync(binDir, { recursive: true });
  for (const [name, envVar] of [
    ['nats-server', 'CATGA_NATS_SERVER_BIN'],
    ['redis-server', 'CATGA_REDIS_SERVER_BIN'],
  ] as const) {
    const wrapper = join(binDir, name);
    const target = process.env[envVar] ?? name;
    // Debian installs nats-server under /usr/sbin, which is not on every user's PATH.
    writeFileSync(
      wrapper,
      `#!/bin/sh\nPATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nexec ${shellQuote(setsid)} ${shellQuote(target)} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    process.env[envVar] = wrapper;
  }
  return [setsid];
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
