import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { eventually } from '../../conformance/eventually.js';
import { currentMessageContext } from '../../context/message-context.js';
import { CatgaError } from '../../errors/catga.error.js';
import {
  CircuitOpenError,
  HandlerFailedError,
  TimeoutError,
  TransportUnavailableError,
  ValidationFailedError,
} from '../../errors/catga-errors.js';
import { ErrorCode } from '../../errors/error-code.decorator.js';
import { CatgaMediator } from '../../mediator/catga.mediator.js';
import { MessageType } from '../../messages/message-type.decorator.js';
import type { CatgaModuleOptions } from '../../module/catga-options.interface.js';
import { CatgaModule } from '../../module/catga.module.js';
import { CATGA_IDEMPOTENCY_STORE } from '../../tokens/catga.tokens.js';
import type { IdempotencyStore } from '../../stores/idempotency/idempotency-store.interface.js';

@ErrorCode('SPEC_DECLINED', { retryable: false })
class DeclinedError extends CatgaError {}

@MessageType('behaviors.charge')
class Charge extends Command<string> {
  @IsString() @MinLength(2) customer!: string;
  @IsInt() @Min(1) amount!: number;
  constructor(customer: string, amount: number) {
    super();
    this.customer = customer;
    this.amount = amount;
  }
}

@MessageType('behaviors.charged')
class Charged {
  constructor(readonly id: string) {}
}

/** What the handlers do next, set per test. */
const script: {
  calls: number;
  attempts: number[];
  impl: (c: Charge) => Promise<string>;
} = { calls: 0, attempts: [], impl: async () => 'ok' };

const charged: string[] = [];

@CommandHandler(Charge)
class ChargeHandler implements ICommandHandler<Charge> {
  constructor(private readonly mediator: CatgaMediator) {}
  async execute(c: Charge): Promise<string> {
    script.calls++;
    const result = await script.impl(c);
    await this.mediator.publish(new Charged(`${c.customer}:${script.calls}`));
    return result;
  }
}

@EventsHandler(Charged)
class ChargedHandler implements IEventHandler<Charged> {
  handle(e: Charged): void {
    charged.push(e.id);
  }
}

async function boot(options: CatgaModuleOptions = {}, logger: LoggerService | false = false) {
  @Module({ imports: [CatgaModule.forRoot(options)], providers: [ChargeHandler, ChargedHandler] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger });
  await app.init();
  script.calls = 0;
  script.attempts = [];
  script.impl = async () => 'ok';
  charged.length = 0;
  return { app, mediator: app.get(CatgaMediator) };
}

const fast = { retry: { initialDelayMs: 1, maxDelayMs: 5 } };

describe('validation behavior', () => {
  it('rejects an invalid message with VALIDATION_FAILED listing each issue, without running the handler', async () => {
    const { app, mediator } = await boot();
    try {
      await assert.rejects(mediator.send(new Charge('x', 0)), (e: unknown) => {
        assert.ok(e instanceof ValidationFailedError);
        assert.equal(e.code, 'VALIDATION_FAILED');
        assert.deepEqual(e.issues.map((i) => i.property).sort(), ['amount', 'customer']);
        return true;
      });
      assert.equal(script.calls, 0);
      assert.equal(await mediator.send(new Charge('alice', 5)), 'ok');
    } finally {
      await app.close();
    }
  });

  it('is off when disabled', async () => {
    const { app, mediator } = await boot({ pipeline: { validation: false } });
    try {
      assert.equal(await mediator.send(new Charge('x', 0)), 'ok');
    } finally {
      await app.close();
    }
  });
});

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
      script.impl = async () => {
        throw new Error('bug');
      };
      await assert.rejects(mediator.send(new Charge('jon', 5)), (e: unknown) => {
        assert.ok(e instanceof HandlerFailedError);
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
      for (let i = 0; i < 3; i++) await assert.rejects(mediator.send(new Charge('ned', 5)), HandlerFailedError);
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
      await assert.rejects(mediator.send(new Charge('pam', 5)), HandlerFailedError);
      await assert.rejects(mediator.send(new Charge('pam', 5)), CircuitOpenError);
      await eventually(async () => assert.equal(await mediator.send(new Charge('pam', 5)), 'recovered'), 3_000, 20);
    } finally {
      await app.close();
    }
  });
});

describe('logging behavior', () => {
  it('logs a failure with the type, code, message id and correlation id', async () => {
    const lines: string[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (m: unknown) => void lines.push(String(m)),
      debug: (m: unknown) => void lines.push(String(m)),
    };
    const { app, mediator } = await boot({ pipeline: { retry: false } }, logger);
    try {
      script.impl = async () => {
        throw new DeclinedError('nope');
      };
      await assert.rejects(mediator.send(new Charge('quin', 5), { messageId: 'log-1', correlationId: 'corr-9' }));
      const line = lines.find((l) => l.includes('failed'));
      assert.ok(line, lines.join('\n'));
      assert.match(line, /behaviors\.charge/);
      assert.match(line, /SPEC_DECLINED/);
      assert.match(line, /id=log-1/);
      assert.match(line, /correlation=corr-9/);
    } finally {
      await app.close();
    }
  });
});

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

describe('minimal pipeline', () => {
  it('runs the handler with no built-in behavior but still holds events until success', async () => {
    const { app, mediator } = await boot({ pipeline: 'minimal' });
    try {
      assert.equal(await mediator.send(new Charge('x', 0)), 'ok', 'validation is off');
      await mediator.send(new Charge('vic', 5), { messageId: 'm' });
      await mediator.send(new Charge('vic', 5), { messageId: 'm' });
      assert.equal(script.calls, 3, 'idempotency is off');
      await eventually(() => assert.equal(charged.length, 3));
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
      const behavior = new IdempotencyBehavior(store, 'i1', { retentionMs: 60_000, claimTtlMs: 10_000, waitTimeoutMs: 30_000 });
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
