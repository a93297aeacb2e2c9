import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LoggerService } from '@nestjs/common';
import { eventually } from '../../conformance/eventually.js';
import { ValidationFailedError } from '../../errors/catga-errors.js';
import { DeclinedError, Charge, script, charged, boot } from './behaviors.spec-helper.js';

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
