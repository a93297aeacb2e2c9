import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '@catga/testing';

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
  const setsid = findBinary('setsid', { optional: true });
  if (setsid === undefined) return [];
  mkdirSync(binDir, { recursive: true });
  for (const [name, envVar] of [
    ['nats-server', 'CATGA_NATS_SERVER_BIN'],
    ['redis-server', 'CATGA_REDIS_SERVER_BIN'],
  ] as const) {
    const wrapper = join(binDir, name);
    // Resolved now, sbin dirs included, so the wrapper needs no PATH of its own.
    const target = findBinary(name, { envVar, optional: true }) ?? name;
    writeFileSync(wrapper, `#!/bin/sh\nexec ${shellQuote(setsid)} ${shellQuote(target)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    process.env[envVar] = wrapper;
  }
  return [setsid];
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
