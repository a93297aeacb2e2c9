import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DASHBOARD_CSP, DASHBOARD_PAGE } from './dashboard.page.js';

describe('dashboard page', () => {
  it('allows only its own inline script, by hash, and nothing else to load', () => {
    const scripts = [...DASHBOARD_PAGE.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    assert.match(DASHBOARD_CSP, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
    assert.match(DASHBOARD_CSP, /default-src 'none'/);
  });
});
