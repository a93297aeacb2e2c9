import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { newMessageId, StoreUnavailableError, type IdempotencyOutcome, type OutboxEntry, type SagaState } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { sleep, withTimeout } from '@catga/core/transport';
import { redisStoresFromEnv, type RedisStores } from '@catga/redis';
import { pollUntil, redisKeySlot, startRedisCluster, type RedisClusterHandle } from '@catga/testing';

/** How long the stores may take to write again on every key after the kill. */
const RECOVERY_DEADLINE_MS = 30_000;
/** Pause of a writer after a failed call, so a lane retries rather than spins while a slot has no master. */
const RETRY_PAUSE_MS = 25;
const SAGAS = 24;
const CLAIM_LANES = 3;
/** Writes every lane makes before the kill, so the kill lands in a steady load. */
const LOAD_BEFORE_KILL = 50;

/** One writer; the load is healthy again once every lane has written after the promotion. */
class Lane {
  writes = 0;
  lastWriteStartedAt = Number.NEGATIVE_INFINITY;
  constructor(readonly name: string) {}
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** What the load saw; the later tests of this file check the stores against it. */
interface FailoverRun {
  /** Index of the replica that took over the killed master's slots. */
  readonly promoted: number;
  readonly onVictim: (redisKey: string) => boolean;
  readonly sagaIds: readonly string[];
  /** Highest version a saga was ever asked to reach (every update attempted, acknowledged or not). */
  readonly attempted: ReadonlyMap<string, number>;
  /** Version of the last acknowledged update of each saga. */
  readonly acked: ReadonlyMap<string, number>;
}

describe('Redis Cluster failover during store writes', () => {
  const prefix = `cfo${uniqueSuffix()}`;
  let cluster: RedisClusterHandle;
  let stores: RedisStores;
  let run: FailoverRun | undefined;
  const failover = (): FailoverRun => run ?? assert.fail('the failover under load did not run');
  const sagaKey = (id: string): string => `${prefix}:saga:{${id}}`;
  const claimKey = (key: string): string => stores.idempotency.key(key);
  const outboxKey = `${prefix}:outbox:{outbox}:entries`;

  before(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
    stores = redisStoresFromEnv({
      CATGA_REDIS_URL: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
      CATGA_REDIS_MODE: 'cluster',
      CATGA_REDIS_PREFIX: prefix,
    });
  });

  after(async () => {
    await stores?.close();
    await cluster?.stop();
  });

  it('keeps every store writing after the master of some keys is killed, failing meanwhile only with STORE_UNAVAILABLE', async () => {
    const victim = await cluster.masterOf(outboxKey);
    const victimNode = (await cluster.clusterNodes()).find((node) => node.index === victim) ?? assert.fail('victim not listed');
    const replica = (await cluster.clusterNodes()).find((node) => node.masterIndex === victim) ?? assert.fail('victim has no replica');
    const onVictim = (redisKey: string): boolean => {
      const slot = redisKeySlot(redisKey);
      return victimNode.slots.some(([first, last]) => slot >= first && slot <= last);
    };

    const sagaIds = Array.from({ length: SAGAS }, (_, i) => `saga-${i}`);
    assert.ok(
      sagaIds.some((id) => onVictim(sagaKey(id))),
      'some sagas live on the killed master',
    );
    const attempted = new Map<string, number>();
    const acked = new Map<string, number>();
    for (const id of sagaIds) {
      assert.equal(await stores.saga.create(sagaState(id)), true);
      attempted.set(id, 1);
      acked.set(id, 1);
    }

    let stopping = false;
    let killedAt = Number.NaN;
    let exitedAt = Number.POSITIVE_INFINITY;
    let firstVictimWriteMs: number | undefined;
    let failedCalls = 0;
    let conflicts = 0;
    const codes = new Map<string, number>();
    const untyped: string[] = [];
    const causes = new Set<string>();
    const anomalies: string[] = [];
    const lost = { sagaUpdates: 0, sagaUpdatesElsewhere: 0, sagaCreates: 0, completions: 0, outbox: 0, elsewhere: 0 };
    const created: string[] = [];
    const completed = new Map<string, IdempotencyOutcome>();
    const saved = new Map<string, OutboxEntry>();
    let writesAcked = 0;

    async function call<T>(lane: Lane, write: { readonly key: string } | undefined, op: () => Promise<T>): Promise<Outcome<T>> {
      const started = performance.now();
      try {
        const value = await op();
        if (write) {
          lane.writes += 1;
          lane.lastWriteStartedAt = started;
          // Started once the process was gone: the promoted replica served it.
          if (firstVictimWriteMs === undefined && started >= exitedAt && onVictim(write.key)) {
            firstVictimWriteMs = performance.now() - killedAt;
          }
        }
        return { ok: true, value };
      } catch (error) {
        failedCalls += 1;
        if (error instanceof StoreUnavailableError) {
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          causes.add(String((error.cause as Error | undefined)?.message ?? error.message));
        } else if (untyped.length < 10) untyped.push(`${lane.name}: ${String(error)}`);
        await sleep(RETRY_PAUSE_MS);
        return { ok: false };
      }
    }

    async function sagaLane(lane: Lane, id: string): Promise<void> {
      while (!stopping) {
        const read = await call(lane, undefined, () => stores.saga.get(id));
        if (!read.ok) continue;
        const current = read.value;
        if (current === undefined) {
          anomalies.push(`saga ${id} is gone`);
          return;
        }
        const highest = acked.get(id) ?? 0;
        if (current.version < highest) {
          // Acknowledged updates the promoted replica never received.
          if (onVictim(sagaKey(id))) lost.sagaUpdates += highest - current.version;
          else lost.sagaUpdatesElsewhere += highest - current.version;
          acked.set(id, current.version);
        }
        if (current.version > (attempted.get(id) ?? 0)) anomalies.push(`saga ${id} at version ${current.version}, never attempted`);
        attempted.set(id, Math.max(attempted.get(id) ?? 0, current.version + 1));
        const next = { ...current, data: { n: current.version }, updatedAt: Date.now() };
        const written = await call(lane, { key: sagaKey(id) }, () => stores.saga.update(next, current.version));
        if (!written.ok) continue;
        if (written.value) {
          acked.set(id, current.version + 1);
          writesAcked += 1;
        } else {
          // A failed call of this writer that landed after all, or the version it read lost in the failover.
          conflicts += 1;
        }
      }
    }

    async function createLane(lane: Lane): Promise<void> {
      for (let n = 0; !stopping;) {
        const id = `new-${n}`;
        const result = await call(lane, { key: sagaKey(id) }, () => stores.saga.create(sagaState(id)));
        if (!result.ok) continue;
        // false: an earlier, failed call of this create had landed.
        if (result.value) {
          created.push(id);
          writesAcked += 1;
        }
        n += 1;
      }
    }

    async function claimLane(lane: Lane, laneNo: number): Promise<void> {
      const owner = `owner-${laneNo}`;
      for (let n = 0; !stopping; n += 1) {
        const key = `req-${laneNo}-${n}`;
        let claimed = false;
        while (!stopping && !claimed) {
          const claim = await call(lane, { key: claimKey(key) }, () => stores.idempotency.tryClaim(key, owner, 60_000));
          if (!claim.ok) continue;
          const result = claim.value;
          claimed = result.status === 'claimed' || (result.status === 'in-progress' && result.owner === owner);
          if (!claimed) {
            anomalies.push(`claim ${key}: ${JSON.stringify(result)}`);
            return;
          }
        }
        const outcome: IdempotencyOutcome = { ok: true, result: { n } };
        while (!stopping) {
          const done = await call(lane, { key: claimKey(key) }, () => stores.idempotency.complete(key, owner, outcome, 600_000));
          if (!done.ok) continue;
          completed.set(key, outcome);
          writesAcked += 1;
          break;
        }
      }
    }

    async function outboxLane(lane: Lane): Promise<void> {
      while (!stopping) {
        const entry = outboxEntry();
        const result = await call(lane, { key: outboxKey }, () => stores.outbox.save([entry]));
        if (!result.ok) continue;
        saved.set(entry.id, entry);
        writesAcked += 1;
      }
    }

    const lanes: Lane[] = [];
    const newLane = (name: string): Lane => {
      const made = new Lane(name);
      lanes.push(made);
      return made;
    };
    const load = Promise.all([
      ...sagaIds.map((id) => sagaLane(newLane(id), id)),
      createLane(newLane('saga creates')),
      ...Array.from({ length: CLAIM_LANES }, (_, i) => claimLane(newLane(`claims ${i}`), i)),
      outboxLane(newLane('outbox')),
    ]);

    let promotedMs = Number.NaN;
    let recoveredMs = Number.NaN;
    try {
      await pollUntil(
        () => {
          const idle = lanes.filter((l) => l.writes < LOAD_BEFORE_KILL).map((l) => l.name);
          if (idle.length > 0) throw new Error(`lanes without ${LOAD_BEFORE_KILL} writes yet: ${idle.join(', ')}`);
        },
        { description: 'every lane writing', timeoutMs: 10_000 },
      );

      killedAt = performance.now();
      await cluster.kill(victim);
      exitedAt = performance.now();
      await cluster.waitForFailover(victim, RECOVERY_DEADLINE_MS);
      const promotedAt = performance.now();
      promotedMs = promotedAt - killedAt;
      await pollUntil(
        () => {
          const behind = lanes.filter((l) => l.lastWriteStartedAt < promotedAt).map((l) => l.name);
          if (behind.length > 0) throw new Error(`no write since the promotion: ${behind.join(', ')}`);
        },
        {
          description: 'every lane writing again after the promotion',
          timeoutMs: Math.max(0, killedAt + RECOVERY_DEADLINE_MS - promotedAt),
        },
      );
      recoveredMs = performance.now() - killedAt;
    } finally {
      stopping = true;
      await withTimeout(load, 10_000, () => new Error('a store call did not return within 10 s of the end of the load'));
    }

    run = { promoted: replica.index, onVictim, sagaIds, attempted, acked };

    // Acknowledged writes the promoted replica does not have, and anything read back other than what was written.
    const corrupt: string[] = [];
    for (const id of sagaIds) {
      const behind = (acked.get(id) ?? 0) - ((await stores.saga.get(id))?.version ?? 0);
      if (behind <= 0) continue;
      if (onVictim(sagaKey(id))) lost.sagaUpdates += behind;
      else lost.sagaUpdatesElsewhere += behind;
    }
    for (const id of created) {
      const stored = await stores.saga.get(id);
      if (stored === undefined) {
        if (onVictim(sagaKey(id))) lost.sagaCreates += 1;
        else lost.elsewhere += 1;
      } else if (stored.sagaId !== id || stored.version < 1 || !isDeepStrictEqual(stored.data, { n: stored.version - 1 })) {
        corrupt.push(`saga ${id}: ${JSON.stringify(stored)}`);
      }
    }
    for (const [key, outcome] of completed) {
      const stored = await stores.idempotency.get(key);
      if (stored === undefined) {
        if (onVictim(claimKey(key))) lost.completions += 1;
        else lost.elsewhere += 1;
      } else if (!isDeepStrictEqual(stored, outcome)) corrupt.push(`outcome of ${key}: ${JSON.stringify(stored)}`);
    }
    const pending = new Map((await stores.outbox.claimPending('checker', saved.size + 10_000, 60_000)).map((e) => [e.id, e]));
    for (const [id, entry] of saved) {
      const stored = pending.get(id);
      if (stored === undefined) lost.outbox += 1;
      else if (JSON.stringify(stored) !== JSON.stringify(entry)) corrupt.push(`outbox entry ${id}: ${JSON.stringify(stored)}`);
    }

    const victimSagas = sagaIds.filter((id) => onVictim(sagaKey(id))).length;
    const victimClaims = [...completed.keys()].filter((key) => onVictim(claimKey(key))).length;
    const lostTotal = lost.sagaUpdates + lost.sagaCreates + lost.completions + lost.outbox;
    console.log(
      `Redis Cluster failover: SIGKILL of master :${cluster.node(victim).port} (the outbox, ${victimSagas} of ${SAGAS} sagas and ` +
        `${victimClaims} of ${completed.size} idempotency keys on its slots); replica :${cluster.node(replica.index).port} promoted, ` +
        `every node agreeing, ${Math.round(promotedMs)} ms after the kill; first write on its slots ${Math.round(firstVictimWriteMs ?? Number.NaN)} ms ` +
        `after the kill; every writer writing again after ${Math.round(recoveredMs)} ms. ${writesAcked} writes acknowledged, ` +
        `${failedCalls} calls failed (${[...codes].map(([code, count]) => `${code} ${count}`).join(', ') || 'none'}; ` +
        `causes: ${[...causes].slice(0, 3).join(' | ') || 'none'}), ` +
        `compare-and-set conflicts ${conflicts}. Acknowledged writes lost: ${lostTotal} (saga updates ${lost.sagaUpdates}, ` +
        `saga creates ${lost.sagaCreates}, idempotency completions ${lost.completions}, outbox entries ${lost.outbox})`,
    );

    assert.deepEqual(untyped, [], 'every failed call was a StoreUnavailableError');
    assert.deepEqual(anomalies, []);
    assert.deepEqual(corrupt, [], 'everything read back is what was written');
    assert.equal(lost.sagaUpdatesElsewhere + lost.elsewhere, 0, 'nothing acknowledged on the surviving masters is lost');
    assert.ok(firstVictimWriteMs !== undefined, 'a write on the killed master’s slots succeeded after the kill');
  });

  it('every saga reads back whole, at a version no higher than was attempted and no lower than the replica can explain', async () => {
    const { sagaIds, attempted, acked, onVictim } = failover();
    for (const id of sagaIds) {
      const stored = (await stores.saga.get(id)) ?? assert.fail(`saga ${id} is gone`);
      assert.equal(stored.sagaId, id);
      assert.equal(stored.sagaName, 'cluster-failover');
      assert.equal(stored.status, 'Running');
      // State and version are written by one script, so the state always names the version it replaced.
      assert.deepEqual(stored.data, { n: stored.version - 1 }, `saga ${id} state matches its version ${stored.version}`);
      assert.ok(stored.version <= (attempted.get(id) ?? 0), `saga ${id} at ${stored.version}, attempted ${attempted.get(id)}`);
      if (!onVictim(sagaKey(id))) assert.ok(stored.version >= (acked.get(id) ?? 0), `saga ${id} on a surviving master kept its updates`);
    }
  });

  it('compare-and-set and claims still let exactly one of concurrent writers through on the promoted replica', async () => {
    const { sagaIds, onVictim, promoted } = failover();
    const id = sagaIds.find((candidate) => onVictim(sagaKey(candidate))) ?? assert.fail('no saga on the killed master');
    assert.equal(await cluster.masterOf(sagaKey(id)), promoted);
    const current = (await stores.saga.get(id)) ?? assert.fail(`saga ${id} is gone`);
    const updates = await Promise.all(
      Array.from({ length: 8 }, (_, i) => stores.saga.update({ ...current, data: { writer: i }, updatedAt: Date.now() }, current.version)),
    );
    assert.equal(updates.filter(Boolean).length, 1, `one of 8 concurrent updates at version ${current.version} wins`);
    assert.equal((await stores.saga.get(id))?.version, current.version + 1);

    let n = 0;
    while (!onVictim(claimKey(`race-${n}`))) n += 1;
    const key = `race-${n}`;
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => stores.idempotency.tryClaim(key, `racer-${i}`, 60_000)));
    const winners = claims.filter((claim) => claim.status === 'claimed');
    assert.equal(winners.length, 1, `one of 8 concurrent claims of ${key} wins`);
    const winner = claims.indexOf(winners[0] ?? assert.fail());
    for (const claim of claims)
      if (claim.status !== 'claimed') assert.deepEqual(claim, { status: 'in-progress', owner: `racer-${winner}` });
  });
});

function sagaState(id: string): SagaState {
  const now = Date.now();
  return {
    sagaId: id,
    sagaName: 'cluster-failover',
    status: 'Running',
    version: 0,
    data: { n: 0 },
    steps: [],
    createdAt: now,
    updatedAt: now,
  };
}

function outboxEntry(): OutboxEntry {
  const id = newMessageId();
  const now = Date.now();
  return {
    id,
    createdAt: now,
    envelope: {
      id,
      type: 'cluster-failover.written',
      kind: 'event',
      correlationId: id,
      causationId: undefined,
      timestamp: now,
      headers: {},
      body: { at: now },
    },
  };
}
