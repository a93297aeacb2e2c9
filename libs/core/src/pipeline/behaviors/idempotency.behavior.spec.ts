import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransportUnavailableError } from '../../errors/catga-errors.js';
import type { IdempotencyStore } from '../../stores/idempotency/idempotency-store.interface.js';
import { PeerLiveness } from '../../liveness/peer-liveness.js';
import { DeclinedError, Charge, script, boot } from './behaviors.spec-helper.js';

describe('idempotency behavior', () => {
  it('a repeated message id runs the handler once and returns the first result', async () => {
    const { app, mediator } = await boot();
    try {
      script.impl = async () => `result-${script.calls}`;
      const first = await mediator.send(new Charge('bob', 5), { messageId: 'charge-1' });
      const second = await mediator.send(new Charge('bob', 5), { messageId: 'charge-1' });
      assert.equal(first, 'result-1');
      assert.equal(second, 'result-1');
      assert.equal(script.calls, 1);
    } finally {
      await app.close();
    }
  });

  it('concurrent duplicates run the handler once and all receive its outcome', async () => {
    const { app, mediator } = await boot();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      script.impl = async () => (await gate, 'shared');
      const all = Promise.all(Array.from({ length: 10 }, () => mediator.send(new Charge('eve', 5), { messageId: 'dup-1' })));
      setTimeout(release, 20);
      assert.deepEqual(await all, Array(10).fill('shared'));
      assert.equal(script.calls, 1);
    } finally {
      await app.close();
    }
  });

  it('a non-retryable error is stored and rethrown as the same class to a repeat', async () => {
    const { app, mediator } = await boot();
    try {
      script.impl = async () => {
        throw new DeclinedError('card declined');
      };
      await assert.rejects(mediator.send(new Charge('dan', 5), { messageId: 'declined-1' }), DeclinedError);
      await assert.rejects(mediator.send(new Charge('dan', 5), { messageId: 'declined-1' }), (e: unknown) => {
        assert.ok(e instanceof DeclinedError);
        assert.equal(e.message, 'card declined');
        return true;
      });
      assert.equal(script.calls, 1);
    } finally {
      await app.close();
    }
  });

  it('a retryable failure gives the claim back so a later retry runs', async () => {
    const { app, mediator } = await boot({ pipeline: { retry: false } });
    try {
      script.impl = async () => {
        if (script.calls === 1) throw new TransportUnavailableError('down');
        return 'second time';
      };
      await assert.rejects(mediator.send(new Charge('fay', 5), { messageId: 'retry-1' }), TransportUnavailableError);
      assert.equal(await mediator.send(new Charge('fay', 5), { messageId: 'retry-1' }), 'second time');
      assert.equal(script.calls, 2);
    } finally {
      await app.close();
    }
  });

  it('a local send without a messageId keeps no record (its id exists nowhere else); one with a messageId does', async () => {
    const { app, mediator } = await boot();
    try {
      const { CATGA_IDEMPOTENCY_STORE: token } = await import('../../tokens/catga.tokens.js');
      const store = app.get<IdempotencyStore & { size: number }>(token);
      const before = store.size;
      for (let i = 0; i < 5; i++) await mediator.send(new Charge('hal', 5));
      assert.equal(store.size, before, 'nothing recorded for ids made by the send');
      assert.equal(script.calls, 5);
      await mediator.send(new Charge('hal', 5), { messageId: 'kept-1' });
      assert.equal(store.size, before + 1);
      assert.equal(await store.get('behaviors.charge:kept-1').then((o) => o?.ok), true);
    } finally {
      await app.close();
    }
  });

  it('without idempotency a repeated id runs twice', async () => {
    const { app, mediator } = await boot({ pipeline: { idempotency: false } });
    try {
      await mediator.send(new Charge('gus', 5), { messageId: 'twice' });
      await mediator.send(new Charge('gus', 5), { messageId: 'twice' });
      assert.equal(script.calls, 2);
    } finally {
      await app.close();
    }
  });
});

describe('idempotency for events', () => {
  it('a failed event handling is not recorded, so a redelivery runs the handler again', async () => {
    const { app, mediator } = await boot();
    try {
      let calls = 0;
      const { CATGA_IDEMPOTENCY_STORE: token } = await import('../../tokens/catga.tokens.js');
      const store = app.get<IdempotencyStore>(token);
      const { IdempotencyBehavior } = await import('./idempotency.behavior.js');
      const behavior = new IdempotencyBehavior(store, new PeerLiveness(undefined, 'svc:i1@1', false), {
        retentionMs: 60_000,
        claimTtlMs: 10_000,
        waitTimeoutMs: 30_000,
      });
      const { HandlingContext } = await import('../../context/message-context.js');
      const envelope = {
        id: 'evt-1',
        type: 'behaviors.charged',
        kind: 'event' as const,
        correlationId: 'evt-1',
        causationId: undefined,
        timestamp: Date.now(),
        headers: {},
        body: {},
      };
      const run = () =>
        behavior.handle(new HandlingContext(envelope, 'svc.ChargedHandler'), async () => {
          calls++;
          if (calls === 1) throw new DeclinedError('first delivery fails');
          return undefined;
        });
      await assert.rejects(run(), DeclinedError);
      await run();
      await run();
      assert.equal(calls, 2, 'ran again after the failure, then replayed the success');
      void mediator;
    } finally {
      await app.close();
    }
  });
});
