import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../../conformance/eventually.js';
import { TransportUnavailableError } from '../../errors/catga-errors.js';
import { DeclinedError, Charge, Charged, script, charged, boot, fast } from './behaviors.spec-helper.js';

describe('outbox', () => {
  it('events raised by a failing command are never published', async () => {
    const { app, mediator } = await boot({ pipeline: { retry: false } });
    try {
      script.impl = async () => 'ok';
      const failing = new Charge('rae', 5);
      // The handler publishes after impl; make impl fail after a first publish in the same handling.
      script.impl = async () => {
        await mediator.publish(new Charged('leaked'));
        throw new DeclinedError('rolled back');
      };
      await assert.rejects(mediator.send(failing), DeclinedError);
      script.impl = async () => 'fine';
      await mediator.send(new Charge('sam', 5));
      await eventually(() => assert.ok(charged.some((c) => c.startsWith('sam:'))));
      assert.ok(!charged.includes('leaked'));
    } finally {
      await app.close();
    }
  });

  it('a command retried after a retryable failure releases its events once', async () => {
    const { app, mediator } = await boot({ pipeline: fast });
    try {
      script.impl = async () => {
        await mediator.publish(new Charged(`attempt-${script.calls}`));
        if (script.calls < 3) throw new TransportUnavailableError('flaky');
        return 'ok';
      };
      await mediator.send(new Charge('tia', 5));
      await eventually(() => assert.equal(charged.length, 2));
      assert.deepEqual([...charged].sort(), ['attempt-3', 'tia:3']);
    } finally {
      await app.close();
    }
  });

  it('a replayed command releases nothing again', async () => {
    const { app, mediator } = await boot();
    try {
      await mediator.send(new Charge('uma', 5), { messageId: 'once' });
      await mediator.send(new Charge('uma', 5), { messageId: 'once' });
      await eventually(() => assert.equal(charged.length, 1));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(charged, ['uma:1']);
    } finally {
      await app.close();
    }
  });
});
