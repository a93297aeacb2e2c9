import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const PACKAGES = ['core', 'nats', 'redis', 'observability', 'testing', 'cli'] as const;
const ADAPTERS = ['nats', 'redis', 'observability', 'cli'] as const;

interface PackageJson {
  name: string;
  license?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function manifest(pkg: string): PackageJson {
  return JSON.parse(readFileSync(join(root, 'libs', pkg, 'package.json'), 'utf8')) as PackageJson;
}

/** What `npm pack` would put in the tarball, as npm itself lists it. */
async function packedFiles(pkg: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'libs', pkg) });
  const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return report!.files.map((file) => file.path);
}

describe('published packages, as npm packs them', () => {
  for (const pkg of PACKAGES) {
    it(`@catga/${pkg} ships a README, the license and the built code, and nothing of the build's or the tests'`, async () => {
      const files = await packedFiles(pkg);
      assert.ok(files.includes('README.md'), `${pkg}: no README.md`);
      assert.ok(files.includes('LICENSE'), `${pkg}: no LICENSE`);
      assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), `${pkg}: no dist/index`);
      const stray = files.filter((f) => /\.tsbuildinfo$|\.map$|\.spec\.|\.spec-helper\./.test(f) || f.startsWith('src/'));
      assert.deepEqual(stray, [], `${pkg} would publish ${stray.join(', ')}`);
      assert.equal(manifest(pkg).license, 'MIT');
    });
  }

  it('the adapters take @catga/core as a peer, so an application has one copy of it', () => {
    for (const pkg of ADAPTERS) {
      const m = manifest(pkg);
      assert.ok(m.peerDependencies?.['@catga/core'], `${m.name} has no peer @catga/core`);
      assert.equal(m.dependencies?.['@catga/core'], undefined, `${m.name} depends on its own @catga/core`);
    }
  });

  it('@catga/cli ships the catga command, runnable as npx catga', async () => {
    const m = manifest('cli') as PackageJson & { bin?: Record<string, string> };
    assert.equal(m.bin?.catga, './dist/main.js');
    assert.ok((await packedFiles('cli')).includes('dist/main.js'));
    assert.match(readFileSync(join(root, 'libs', 'cli', 'dist', 'main.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('@catga/redis takes ioredis as a peer: the application creates the client it passes in', () => {
    const m = manifest('redis');
    assert.ok(m.peerDependencies?.ioredis);
    assert.equal(m.dependencies?.ioredis, undefined);
  });
});
