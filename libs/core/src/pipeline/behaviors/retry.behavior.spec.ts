import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../../conformance/eventually.js';
import { currentMessageContext } from '../../context/message-context.js';
import { CircuitOpenError, TimeoutError, TransportUnavailableError } from '../../errors/catga-errors.js';
import { CATGA_IDEMPOTENCY_STORE } from '../../tokens/catga.tokens.js';
import type { IdempotencyStore } from '../../stores/idempotency/idempotency-store.interface.js';
import { DeclinedError, Charge, script, boot, fast } from './behaviors.spec-helper.js';

describe('retry behavior', () => {
  it('retries an error marked retryable until it succeeds', async () => {
    const { app, mediator } = await boot({ pipeline: fast });
    try {
      script.impl = async () => {
        if (script.calls < 3) throw new TransportUnavailableError('flaky');
        return 'third';
      };
      assert.equal(await mediator.send(new Charge('hal', 5)), 'third');
      assert.equal(script.calls, 3);
    } finally {
      await app.close();
    }
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { app, mediator } = await boot({ pipeline: { retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 } } });
    try {
      script.impl = async () => {
        throw new TransportUnavailableError('always');
      };
      await assert.rejects(mediator.send(new Charge('ida', 5)), TransportUnavailableError);
      assert.equal(script.calls, 4);
    } finally {
      await app.close();
    }
  });

  it('does not retry errors that are not retryable', async () => {
    const { app, mediator } = await boot({ pipeline: fast });
    try {
      const bug = new Error('bug');
      script.impl = async () => {
        throw bug;
      };
      await assert.rejects(mediator.send(new Charge('jon', 5)), (e: unknown) => {
        // In one process the caller gets what the handler threw.
        assert.equal(e, bug);
        assert.equal(e.message, 'bug');
        return true;
      });
      assert.equal(script.calls, 1);
    } finally {
      await app.close();
    }
  });

  it('backs off between attempts', async () => {
    const { app, mediator } = await boot({ pipeline: { retry: { maxAttempts: 3, initialDelayMs: 40, maxDelayMs: 1000 } } });
    try {
      const times: number[] = [];
      script.impl = async () => {
        times.push(performance.now());
        if (script.calls < 3) throw new TransportUnavailableError('x');
        return 'ok';
      };
      await mediator.send(new Charge('kim', 5));
      assert.ok(times[1]! - times[0]! >= 5, `first backoff ${times[1]! - times[0]!} ms`);
      assert.ok(times[2]! - times[1]! >= 5, `second backoff ${times[2]! - times[1]!} ms`);
    } finally {
      await app.close();
    }
  });
});

describe('timeout behavior', () => {
  it('fails a slow handling with a retryable TIMEOUT and aborts its signal', async () => {
    const { app, mediator } = await boot({ pipeline: { timeout: 50 } });
    try {
      let signal: AbortSignal | undefined;
      script.impl = async () => {
        signal = currentMessageContext()!.signal;
        await new Promise((r) => setTimeout(r, 300));
        return 'late';
      };
      await assert.rejects(mediator.send(new Charge('lee', 5)), (e: unknown) => {
        assert.ok(e instanceof TimeoutError);
        assert.equal(e.retryable, true);
        return true;
      });
      assert.equal(signal?.aborted, true);
    } finally {
      await app.close();
    }
  });

  it('a retry with the same id after a timeout receives the late outcome instead of running again', async () => {
    const { app, mediator } = await boot({ pipeline: { timeout: 50 } });
    try {
      script.impl = async () => {
        await new Promise((r) => setTimeout(r, 150));
        return 'finished late';
      };
      await assert.rejects(mediator.send(new Charge('max', 5), { messageId: 'slow-1' }), TimeoutError);
      const store = app.get<IdempotencyStore>(CATGA_IDEMPOTENCY_STORE);
      await eventually(async () => assert.ok(await store.get('behaviors.charge:slow-1')));
      assert.equal(await mediator.send(new Charge('max', 5), { messageId: 'slow-1' }), 'finished late');
      assert.equal(script.calls, 1);
    } finally {
      await app.close();
    }
  });
});

describe('circuit breaker behavior', () => {
  it('opens after consecutive failures and fails fast without calling the handler', async () => {
    const { app, mediator } = await boot({
      pipeline: { retry: false, circuitBreaker: { failureThreshold: 3, halfOpenAfterMs: 60_000 } },
    });
    try {
      script.impl = async () => {
        throw new Error('database down');
      };
      for (let i = 0; i < 3; i++) await assert.rejects(mediator.send(new Charge('ned', 5)), /database down/);
      await assert.rejects(mediator.send(new Charge('ned', 5)), (e: unknown) => {
        assert.ok(e instanceof CircuitOpenError);
        assert.equal(e.retryable, true);
        return true;
      });
      assert.equal(script.calls, 3);
    } finally {
      await app.close();
    }
  });

  it('does not count business errors', async () => {
    const { app, mediator } = await boot({ pipeline: { circuitBreaker: { failureThreshold: 2 } } });
    try {
      script.impl = async () => {
        throw new DeclinedError('no');
      };
      for (let i = 0; i < 5; i++) await assert.rejects(mediator.send(new Charge('oli', 5)), DeclinedError);
      assert.equal(script.calls, 5);
    } finally {
      await app.close();
    }
  });

  it('lets a trial through after halfOpenAfterMs and closes on success', async () => {
    const { app, mediator } = await boot({
      pipeline: { retry: false, circuitBreaker: { failureThreshold: 1, halfOpenAfterMs: 100 } },
    });
    try {
      script.impl = async () => {
        if (script.calls === 1) throw new Error('blip');
        return 'recovered';
      };
      await assert.rejects(mediator.send(new Charge('pam', 5)), /blip/);
      await assert.rejects(mediator.send(new Charge('pam', 5)), CircuitOpenError);
      await eventually(async () => assert.equal(await mediator.send(new Charge('pam', 5)), 'recovered'), 3_000, 20);
    } finally {
      await app.close();
    }
  });
});
