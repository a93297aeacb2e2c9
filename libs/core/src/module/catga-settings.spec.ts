import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { resolveSettings } from './catga-settings.js';

const MODULE_DOC = new URL('../../../../docs/module.md', import.meta.url);

/** Settings that follow from other options or from who the instance is, not options of their own. */
const DERIVED = new Set(['saga.owner', 'cluster.enabled', 'cluster.serviceName', 'cluster.instanceId']);

function flatten(value: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    const isGroup = v !== null && typeof v === 'object' && Object.keys(v).length > 0;
    if (isGroup) for (const [p, leaf] of flatten(v as object, `${path}.`)) out.set(p, leaf);
    else out.set(path, v);
  }
  return out;
}

function documentedDefaults(): Map<string, { env: string; value: string }> {
  const doc = readFileSync(MODULE_DOC, 'utf8');
  const section = doc.slice(doc.indexOf('## Every option'), doc.indexOf('\n## ', doc.indexOf('## Every option') + 1));
  const rows = new Map<string, { env: string; value: string }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const option = /^`([\w.]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!option) continue;
    rows.set(option, { env: (cells[2] ?? '').replaceAll('`', ''), value: (cells[3] ?? '').replaceAll('`', '') });
  }
  return rows;
}

describe('module options', () => {
  it('the options table in docs/module.md lists every option with the default resolveSettings applies', () => {
    const resolved = flatten(resolveSettings({}, {}));
    for (const path of DERIVED) resolved.delete(path);
    const documented = documentedDefaults();
    assert.deepEqual([...documented.keys()].sort(), [...resolved.keys()].sort(), 'documented options differ from the settings');
    for (const [path, { value }] of documented) {
      const actual = resolved.get(path);
      const shown = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
      assert.equal(shown, value.replace('<hostname>', hostname()).replace('<pid>', String(process.pid)), `default of ${path}`);
    }
  });

  it('each documented environment variable sets its option', () => {
    for (const [path, { env }] of documentedDefaults()) {
      if (!env) continue;
      const settings = flatten(resolveSettings({}, { [env]: 'from-env' }));
      assert.equal(settings.get(path), 'from-env', `${env} sets ${path}`);
    }
  });

  it('an option given as undefined keeps its default', () => {
    const settings = resolveSettings({ saga: { leaseMs: undefined }, pipeline: { retry: { maxAttempts: undefined } } }, {});
    assert.equal(settings.saga.leaseMs, 10_000);
    assert.deepEqual(settings.pipeline.retry && settings.pipeline.retry.maxAttempts, 3);
  });
});
