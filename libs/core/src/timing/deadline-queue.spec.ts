import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeadlineQueue } from './deadline-queue.js';

const until = async (check: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('DeadlineQueue', () => {
  it('fires each deadline once, no sooner than its length, in the order they were set', async () => {
    const queue = new DeadlineQueue();
    const fired: Array<{ name: string; after: number }> = [];
    const started = performance.now();
    for (const name of ['a', 'b', 'c']) queue.add(30, () => fired.push({ name, after: performance.now() - started }));
    await until(() => fired.length === 3);
    assert.deepEqual(
      fired.map((f) => f.name),
      ['a', 'b', 'c'],
    );
    for (const f of fired) assert.ok(f.after >= 29, `${f.name} fired after ${f.after} ms`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fired.length, 3, 'none fires twice');
  });

  it('a cancelled deadline never fires; the live ones behind it still do', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    const first = queue.add(20, () => fired.push('first'));
    queue.add(20, () => fired.push('second'));
    const third = queue.add(20, () => fired.push('third'));
    first.cancel();
    third.cancel();
    third.cancel();
    await until(() => fired.length > 0);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(fired, ['second']);
  });

  it('deadlines of different lengths keep their own times', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    queue.add(80, () => fired.push('long'));
    queue.add(10, () => fired.push('short'));
    await until(() => fired.length === 2);
    assert.deepEqual(fired, ['short', 'long']);
  });

  it('thousands cancelled and a few live: the live ones fire, the cancelled ones are dropped', async () => {
    const queue = new DeadlineQueue();
    const fired: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const deadline = queue.add(30, () => fired.push(i));
      if (i % 1000 !== 999) deadline.cancel();
    }
    await until(() => fired.length === 10);
    assert.deepEqual(fired, [999, 1999, 2999, 3999, 4999, 5999, 6999, 7999, 8999, 9999]);
  });

  it('a deadline added while one fires is kept', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    queue.add(10, () => {
      fired.push('outer');
      queue.add(10, () => fired.push('inner'));
    });
    await until(() => fired.length === 2);
    assert.deepEqual(fired, ['outer', 'inner']);
  });

  it('keeps the process alive while a deadline is pending, and not once every one is cancelled', async () => {
    const module = fileURLToPath(new URL('./deadline-queue.js', import.meta.url));
    const script = (cancel: boolean) =>
      `const { DeadlineQueue } = await import(${JSON.stringify(module)});` +
      `const q = new DeadlineQueue(); const started = Date.now();` +
      `const d = q.add(1500, () => console.log('fired')); ${cancel ? 'd.cancel();' : ''}` +
      `process.on('exit', () => console.log('exit after', Date.now() - started));`;
    const run = async (cancel: boolean) =>
      (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script(cancel)], { timeout: 10_000 })).stdout;
    const [kept, cancelled] = await Promise.all([run(false), run(true)]);
    assert.match(kept, /^fired\n/);
    assert.doesNotMatch(cancelled, /fired/);
    const exitedAfter = Number(/exit after (\d+)/.exec(cancelled)?.[1]);
    assert.ok(exitedAfter < 1000, `with every deadline cancelled the process exited after ${exitedAfter} ms`);
  });
});
