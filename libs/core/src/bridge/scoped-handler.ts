import type { ModuleRef } from '@nestjs/core';
import { AsyncContext } from '@nestjs/cqrs';
import type { MessageKind } from '../messages/message-kind.js';

/**
 * Calls a request- or durable-scoped handler as @nestjs/cqrs's buses do, on a new instance per
 * handling: the instance is resolved for the message's `AsyncContext`, which is the `REQUEST` it
 * is injected with. A command or query keeps a context it already carries (a local caller or a
 * saga attached one) and is given a new one otherwise; an event gets its own per handler.
 */
export function scopedInvoker<T extends object>(
  moduleRef: ModuleRef,
  metatype: abstract new (...args: never[]) => T,
  kind: MessageKind,
  call: (instance: T, message: object) => unknown,
): (message: unknown) => Promise<unknown> {
  return async (message) => {
    const target = message as object;
    let context = AsyncContext.of(target);
    if (!context) {
      context = new AsyncContext();
      moduleRef.registerRequestByContextId(context, context.id);
      // Events are not marked: each of their handlers is a handling of its own.
      if (kind !== 'event') context.attachTo(target);
    }
    const instance = await moduleRef.resolve<T>(metatype, context.id, { strict: false });
    return call(instance, target);
  };
}
