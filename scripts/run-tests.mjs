#!/usr/bin/env node
// Runs every compiled *.spec.js with node:test and prints "N passed, N failed" last.
// Usage: node scripts/run-tests.mjs [path-fragment ...]   (filters spec files by substring)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['libs', 'apps', 'test'].map((d) => join(root, d));
const filters = process.argv.slice(2);

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.spec.js') && full.includes(`${'/'}dist${'/'}`)) out.push(full);
  }
  return out;
}

const files = roots
  .flatMap((r) => collect(r, []))
  .filter((f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)))
  .sort();

if (files.length === 0) {
  console.error('no spec files found (did the build run?)');
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const outDir = join(root, '.test-output');
mkdirSync(outDir, { recursive: true });
const tapFile = join(outDir, 'results.tap');
const concurrency = process.env.CATGA_TEST_CONCURRENCY ?? '2';

const child = spawn(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    // A test that hangs fails after 10 minutes instead of holding the run.
    `--test-timeout=${process.env.CATGA_TEST_TIMEOUT_MS ?? '600000'}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'], cwd: root },
);

child.on('exit', (code, signal) => {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (key) => Number((tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  console.log(`${passed} passed, ${failed} failed`);
  const ok = code === 0 && !signal && failed === 0 && passed > 0;
  process.exit(ok ? 0 : 1);
});
