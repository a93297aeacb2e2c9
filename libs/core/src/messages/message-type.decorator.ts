import { Command, Query } from '@nestjs/cqrs';
import type { MessageKind } from './message-kind.js';

export type MessageClass<T = object> = abstract new (...args: never[]) => T;

export interface MessageTypeOptions {
  /** Declares the kind when the class does not extend `Command`/`Query`; events need no declaration. */
  kind?: MessageKind;
}

interface MessageTypeInfo {
  readonly name: string;
  readonly kind: MessageKind | undefined;
}

const TYPE_INFO = Symbol.for('catga.message-type');
const byName = new Map<string, MessageClass>();

type Stamped = { [TYPE_INFO]?: MessageTypeInfo };

/**
 * Gives a message class its stable, wire-visible type name, e.g. `@MessageType('orders.create-order')`.
 * Class names are not used on the wire because bundlers and minifiers change them.
 */
export function MessageType(name: string, options: MessageTypeOptions = {}): ClassDecorator {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new Error(`Invalid message type name "${name}": use letters, digits, ".", "-" and "_" only`);
  }
  return (target) => {
    const existing = byName.get(name);
    if (existing && existing !== (target as unknown as MessageClass)) {
      throw new Error(`Message type "${name}" is already used by class ${existing.name}; ${target.name} needs another name`);
    }
    Object.defineProperty(target, TYPE_INFO, {
      value: { name, kind: options.kind } satisfies MessageTypeInfo,
      enumerable: false,
    });
    byName.set(name, target as unknown as MessageClass);
  };
}

const warnedUntyped = new Set<string>();

/** The stable type name of a message class or instance; falls back to the class name. */
export function messageTypeOf(messageOrClass: object | MessageClass): string {
  const ctor = (typeof messageOrClass === 'function' ? messageOrClass : messageOrClass.constructor) as Stamped & MessageClass;
  const info = Object.prototype.hasOwnProperty.call(ctor, TYPE_INFO) ? ctor[TYPE_INFO] : undefined;
  if (info) return info.name;
  if (!warnedUntyped.has(ctor.name)) {
    warnedUntyped.add(ctor.name);
    process.emitWarning(`Message class ${ctor.name} has no @MessageType(); its class name is used as type, which a minifier may change`, {
      code: 'CATGA_UNTYPED_MESSAGE',
    });
  }
  return ctor.name;
}

/** The kind a class declares, by base class (`Command`, `Query`) or by `@MessageType(..., { kind })`. */
export function declaredKindOf(ctor: MessageClass): MessageKind | undefined {
  const info = Object.prototype.hasOwnProperty.call(ctor, TYPE_INFO) ? (ctor as Stamped)[TYPE_INFO] : undefined;
  if (info?.kind) return info.kind;
  if (ctor.prototype instanceof Command) return 'command';
  if (ctor.prototype instanceof Query) return 'query';
  return undefined;
}

/** The class registered for a type name, used to rebuild message instances from the wire. */
export function messageClassOf(name: string): MessageClass | undefined {
  return byName.get(name);
}

export function registeredMessageTypes(): ReadonlyMap<string, MessageClass> {
  return byName;
}
