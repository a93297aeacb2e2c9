import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { uniqueSuffix } from '@catga/core/conformance';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';

const RACER = fileURLToPath(new URL('./fixtures/claim-racer.main.js', import.meta.url));
const run = promisify(execFile);

describe('idempotency claims raced by separate processes on Redis', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => server?.stop());

  it('8 processes racing for the same key 1000 times: one winner each time, the others get its outcome', async () => {
    const prefix = `race${uniqueSuffix()}`;
    const ROUNDS = 1000;
    const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
    const racing = names.map((name) =>
      run(process.execPath, [RACER, server.url, prefix, name, String(ROUNDS)], { maxBuffer: 64 * 1024 * 1024 }),
    );
    const redis = new Redis(server.url);
    await redis.set(`${prefix}:go`, '1');
    const results = (await Promise.all(racing)).map(
      (r) => JSON.parse(r.stdout) as Array<{ won: boolean; outcome: { winner: string } | null }>,
    );
    redis.disconnect();
    const winsPerProcess = results.map((r) => r.filter((x) => x.won).length);
    for (let i = 0; i < ROUNDS; i++) {
      const round = results.map((r) => r[i]!);
      const winners = round.filter((x) => x.won);
      assert.equal(winners.length, 1, `round ${i}: ${winners.length} winners`);
      const winner = winners[0]!.outcome!.winner;
      assert.ok(
        round.every((x) => x.outcome?.winner === winner),
        `round ${i}: not every process saw ${winner}`,
      );
    }
    console.log(`claim race: wins per process ${JSON.stringify(winsPerProcess)}`);
    assert.ok(winsPerProcess.filter((w) => w > 0).length >= 2, 'the processes really raced');
  });
});
