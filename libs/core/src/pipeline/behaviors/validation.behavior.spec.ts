import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LoggerService } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateBy, ValidateNested } from 'class-validator';
import { eventually } from '../../conformance/eventually.js';
import { HandlingContext } from '../../context/message-context.js';
import { ValidationFailedError } from '../../errors/catga-errors.js';
import { MessageType } from '../../messages/message-type.decorator.js';
import { DeclinedError, Charge, script, charged, boot } from './behaviors.spec-helper.js';
import { ValidationBehavior } from './validation.behavior.js';

let linesChecked = 0;

class Line {
  @ValidateBy({ name: 'counted', validator: { validate: () => (linesChecked++, false), defaultMessage: () => 'line checked' } })
  sku!: string;
}

@MessageType('behaviors.bulk')
class Bulk {
  @IsArray()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines: Line[] = [];
}

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

  it('refuses a list over its ArrayMaxSize without validating any of its items', async () => {
    const behavior = await ValidationBehavior.create();
    const body = Object.assign(new Bulk(), { lines: Array.from({ length: 200_000 }, () => new Line()) });
    const context = new HandlingContext(
      {
        id: 'bulk-1',
        type: 'behaviors.bulk',
        kind: 'command',
        correlationId: 'bulk-1',
        causationId: undefined,
        timestamp: 0,
        headers: {},
        body,
      },
      'spec.BulkHandler',
    );
    linesChecked = 0;
    await assert.rejects(
      behavior.handle(context, async () => 'ran'),
      (e: unknown) => {
        assert.ok(e instanceof ValidationFailedError);
        assert.deepEqual(e.issues, [{ property: 'lines', constraints: { arrayMaxSize: 'lines must contain no more than 3 elements' } }]);
        return true;
      },
    );
    assert.equal(linesChecked, 0);
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
