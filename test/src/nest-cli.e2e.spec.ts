import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually } from '@catga/core/conformance';
import { freePort } from '@catga/testing';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const nest = join(root, 'node_modules', '.bin', 'nest');

interface NestCliConfig {
  monorepo: boolean;
  projects: Record<string, { type: 'application' | 'library'; root: string }>;
}

const config = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as NestCliConfig;

describe('the Nest CLI on this repository (monorepo layout)', () => {
  it('nest-cli.json lists every app and every lib as a project', () => {
    assert.equal(config.monorepo, true);
    const expected = ['apps', 'libs'].flatMap((dir) =>
      readdirSync(join(root, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${dir}/${entry.name}`),
    );
    assert.deepEqual(
      Object.values(config.projects)
        .map((p) => p.root)
        .sort(),
      expected.sort(),
    );
    for (const [name, project] of Object.entries(config.projects)) {
      assert.equal(project.type, project.root.startsWith('apps/') ? 'application' : 'library', name);
    }
  });

  it('nest build <project> compiles an app and a lib', async () => {
    for (const project of ['order-service', 'core']) {
      const { stdout, stderr } = await run(nest, ['build', project], { cwd: root });
      assert.doesNotMatch(`${stdout}${stderr}`, /error/i, `nest build ${project}`);
    }
  });

  it('nest start order-api serves the embedded sample and stops on SIGTERM', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
    delete env.CATGA_NATS_URL;
    delete env.CATGA_REDIS_URL;
    const child = spawn(nest, ['start', 'order-api'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit');
    // The app is the CLI's child and writes to the same pipes: its last lines may come after the CLI exits.
    const drained = Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]);
    try {
      await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
          assert.equal(response.status, 200);
        },
        30_000,
        100,
      );
    } catch (error) {
      throw new Error(`nest start order-api did not get ready: ${String(error)}\n${output.slice(-2000)}`);
    } finally {
      // The CLI runs the app as its child: signal the whole group.
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      await drained;
    }
    assert.match(output, /drained and closed/);
  });
});
