import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { assertDocumentedDefaults, documentedOptions, flattenSettings } from '../conformance/documented-defaults.js';
import { resolveSettings } from './catga-settings.js';

const MODULE_DOC = new URL('../../../../docs/module.md', import.meta.url);
const TABLE = '## Every option';

/** Settings that follow from other options or from who the instance is, not options of their own. */
const DERIVED = ['address', 'saga.owner', 'cluster.enabled', 'cluster.serviceName', 'cluster.instanceId'];

describe('module options', () => {
  it('the options table in docs/module.md lists every option with the default resolveSettings applies', () => {
    const defaults = Object.fromEntries([...flattenSettings(resolveSettings({}, {}))].filter(([path]) => !DERIVED.includes(path)));
    assertDocumentedDefaults(MODULE_DOC, TABLE, defaults, { '<hostname>': hostname(), '<pid>': String(process.pid) });
  });

  it('each documented environment variable sets its option', () => {
    for (const [path, { env }] of documentedOptions(MODULE_DOC, TABLE)) {
      if (!env) continue;
      const settings = flattenSettings(resolveSettings({}, { [env]: 'from-env' }));
      assert.equal(settings.get(path), 'from-env', `${env} sets ${path}`);
    }
  });

  it('an option given as undefined keeps its default', () => {
    const settings = resolveSettings({ saga: { leaseMs: undefined }, pipeline: { retry: { maxAttempts: undefined } } }, {});
    assert.equal(settings.saga.leaseMs, 10_000);
    assert.deepEqual(settings.pipeline.retry && settings.pipeline.retry.maxAttempts, 3);
  });
});
