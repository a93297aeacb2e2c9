import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module, Scope, type DynamicModule, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Command,
  CommandBus,
  CommandHandler,
  CqrsModule,
  EventBus,
  EventsHandler,
  UnhandledExceptionBus,
  type ICommandHandler,
  type IEventHandler,
  type UnhandledExceptionInfo,
} from '@nestjs/cqrs';
import { eventually } from '../conformance/eventually.js';
import { currentMessageContext, type MessageContext } from '../context/message-context.js';
import { Broadcast } from '../handlers/broadcast.decorator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { CatgaModule } from '../module/catga.module.js';
import { Behavior } from '../pipeline/behavior.decorator.js';
import type { PipelineBehavior } from '../pipeline/pipeline-behavior.interface.js';

@MessageType('bridge-spec.scoped-ping')
class ScopedPing extends Command<string | undefined> {}

@MessageType('bridge-spec.shouted')
class Shouted {
  constructor(readonly id: string) {}
}

class ShoutError extends Error {}

const piped: string[] = [];

@CommandHandler(ScopedPing, { scope: Scope.REQUEST })
class ScopedPingHandler implements ICommandHandler<ScopedPing> {
  async execute(): Promise<string | undefined> {
    return currentMessageContext()?.envelope.id;
  }
}

@Broadcast()
@EventsHandler(Shouted)
class ShoutedHandler implements IEventHandler<Shouted> {
  handle(event: Shouted): void {
    throw new ShoutError(`shouted ${event.id}`);
  }
}

@Behavior({ order: 50 })
class RecordingBehavior implements PipelineBehavior {
  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    piped.push(context.envelope.type);
    return next();
  }
}

class WarningRecorder implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

async function boot(imports: DynamicModule[], logger: LoggerService) {
  @Module({ imports, providers: [ScopedPingHandler, ShoutedHandler] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger });
  await app.init();
  return app;
}

describe('CqrsBridge', () => {
  for (const [imported, imports] of [
    ['through CatgaModule only', [CatgaModule.forRoot({ behaviors: [RecordingBehavior] })]],
    ['by the application too, first', [CqrsModule.forRoot(), CatgaModule.forRoot({ behaviors: [RecordingBehavior] })]],
  ] as const) {
    it(`a request-scoped handler runs through the pipeline, with no warning, when CqrsModule is imported ${imported}`, async () => {
      const logger = new WarningRecorder();
      const app = await boot([...imports], logger);
      try {
        piped.length = 0;
        const id = await app.get(CommandBus).execute(new ScopedPing());
        assert.ok(id, 'the handler ran outside a Catga handling');
        assert.deepEqual(piped, ['bridge-spec.scoped-ping']);
        assert.deepEqual(logger.warnings, []);
      } finally {
        await app.close();
      }
    });
  }

  it('each failure of a broadcast event handler reaches UnhandledExceptionBus at once (it is not redelivered)', async () => {
    const app = await boot([CatgaModule.forRoot()], new WarningRecorder());
    try {
      const reports: Array<UnhandledExceptionInfo<unknown, unknown>> = [];
      app.get(UnhandledExceptionBus).subscribe((info) => reports.push(info));
      await app.get(EventBus).publish(new Shouted('s1'));
      await app.get(EventBus).publish(new Shouted('s2'));
      await eventually(() => assert.equal(reports.length, 2));
      assert.deepEqual(reports.map((r) => (r.cause as Shouted).id).sort(), ['s1', 's2']);
      assert.ok(reports.every((r) => r.exception instanceof ShoutError));
    } finally {
      await app.close();
    }
  });
});
