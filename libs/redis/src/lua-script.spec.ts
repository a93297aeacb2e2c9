import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedisServer, type RedisServerHandle } from '@catga/testing';
import { Redis } from 'ioredis';
import { LuaScript } from './lua-script.js';

const INCR_BY = new LuaScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);

describe('LuaScript (EVALSHA, the text only when Redis lacks it)', () => {
  let server: RedisServerHandle;
  let redis: Redis;
  let evals = 0;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { enableAutoPipelining: true });
    const evalCall = redis.eval.bind(redis);
    redis.eval = ((...args: Parameters<Redis['eval']>) => {
      evals++;
      return evalCall(...args);
    }) as Redis['eval'];
  });

  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('loads the script on first use, then runs it by its hash alone', async () => {
    assert.deepEqual(await redis.script('EXISTS', INCR_BY.sha), [0]);
    assert.equal(await INCR_BY.run(redis, 1, 'n', '2'), 2);
    assert.equal(evals, 1, 'the first run sent the text');
    assert.deepEqual(await redis.script('EXISTS', INCR_BY.sha), [1]);
    const results = await Promise.all([1, 2, 3].map((i) => INCR_BY.run(redis, 1, 'n', String(i))));
    assert.deepEqual(
      [...results].sort((a, b) => Number(a) - Number(b)),
      [3, 5, 8],
    );
    assert.equal(evals, 1, 'later runs sent the hash only');
  });

  it('after a SCRIPT FLUSH (a restarted Redis) the next run loads it again', async () => {
    await redis.script('FLUSH');
    assert.equal(await INCR_BY.run(redis, 1, 'm', '5'), 5);
    assert.equal(evals, 2);
    assert.equal(await INCR_BY.run(redis, 1, 'm', '1'), 6);
    assert.equal(evals, 2);
  });

  it('an error of the script itself is the script error, not a reload', async () => {
    const failing = new LuaScript(`return redis.error_reply('ERR wrong on purpose')`);
    await assert.rejects(failing.run(redis, 0), /wrong on purpose/);
    await assert.rejects(failing.run(redis, 0), /wrong on purpose/);
    assert.equal(evals, 3, 'loaded once, then failing by its hash');
  });
});
