import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { plainToInstance, Type } from 'class-transformer';
import { MessageType } from '../messages/message-type.decorator.js';
import { hydrateBody, loadBodyHydrator } from './body-hydrator.js';

@MessageType('hydrator-spec.plain')
class PlainCommand {
  sku = 'none';
  quantity = 0;
  constructor(
    sku?: string,
    readonly note?: { text: string },
  ) {
    if (sku !== undefined) this.sku = sku;
  }
}

class Line {
  sku = '';
  total(): string {
    return `line ${this.sku}`;
  }
}

@MessageType('hydrator-spec.typed')
class TypedCommand {
  @Type(() => Line)
  lines: Line[] = [];
}

@MessageType('hydrator-spec.typed-child')
class TypedChild extends TypedCommand {
  label = '';
}

const parse = (json: string): object => JSON.parse(json) as object;

describe('hydrateBody (a received body as its registered class)', () => {
  before(() => loadBodyHydrator());

  it('an undecorated class comes out as class-transformer makes it, without its walk', () => {
    const bodies = [
      '{"sku":"A-1","quantity":3}',
      '{"quantity":2}',
      '{"sku":"B","note":{"text":"fragile"},"tags":["x",{"y":[1,null]}],"missing":null}',
      '{"__proto__":{"polluted":true},"constructor":"c","sku":"C"}',
      '{}',
    ];
    for (const json of bodies) {
      const fast = hydrateBody('hydrator-spec.plain', parse(json));
      const walked = plainToInstance(PlainCommand, parse(json));
      assert.ok(fast instanceof PlainCommand, json);
      assert.deepEqual(fast, walked, json);
      assert.equal(Object.getPrototypeOf(fast), PlainCommand.prototype, json);
    }
    assert.equal(
      (hydrateBody('hydrator-spec.plain', parse('{"__proto__":{"polluted":true}}')) as { polluted?: boolean }).polluted,
      undefined,
    );
  });

  it('takes the fast path: nested values are the parsed ones, not copies (class-transformer moved its metadata otherwise)', () => {
    const plain = parse('{"note":{"text":"kept"}}') as { note: object };
    const body = hydrateBody('hydrator-spec.plain', plain) as PlainCommand;
    assert.equal(body.note, plain.note);
  });

  it('a class with class-transformer decorators, or one inheriting them, still goes through plainToInstance', () => {
    const typed = hydrateBody('hydrator-spec.typed', parse('{"lines":[{"sku":"L-1"}]}')) as TypedCommand;
    assert.ok(typed.lines[0] instanceof Line);
    assert.equal(typed.lines[0].total(), 'line L-1');
    const child = hydrateBody('hydrator-spec.typed-child', parse('{"label":"c","lines":[{"sku":"L-2"}]}')) as TypedChild;
    assert.ok(child instanceof TypedChild);
    assert.ok(child.lines[0] instanceof Line);
    assert.equal(child.label, 'c');
  });
});
