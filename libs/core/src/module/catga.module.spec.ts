import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inject, Injectable, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Command,
  CommandBus,
  CommandHandler,
  CommandHandlerNotFoundException,
  EventBus,
  EventsHandler,
  Query,
  QueryBus,
  QueryHandler,
  type ICommandHandler,
  type IEventHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { CQRS_COMMAND, CQRS_COMMAND_HANDLER, CQRS_EVENTS_HANDLER, CQRS_QUERY_HANDLER } from '../bridge/cqrs-metadata.js';
import { currentMessageContext } from '../context/message-context.js';
import type { Envelope } from '../envelope/envelope.js';
import { HandlerNotFoundError } from '../errors/catga-errors.js';
import { CatgaMediator } from '../mediator/catga.mediator.js';
import { MessageType } from '../messages/message-type.decorator.js';
import { Behavior } from '../pipeline/behavior.decorator.js';
import type { PipelineBehavior } from '../pipeline/pipeline-behavior.interface.js';
import type { MessageContext } from '../context/message-context.js';
import type { CatgaModuleOptions, CatgaOptionsFactory } from './catga-options.interface.js';
import { CatgaModule } from './catga.module.js';
import { CATGA_SETTINGS } from '../tokens/catga.tokens.js';
import type { CatgaSettings } from './catga-settings.js';
import { eventually } from '../conformance/eventually.js';

@MessageType('spec.add')
class Add extends Command<number> {
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
  }
}

@MessageType('spec.get-total')
class GetTotal extends Query<{ total: number }> {}

@MessageType('spec.added')
class Added {
  constructor(readonly sum: number) {}
}

@MessageType('spec.nested')
class Nested extends Command<{ inner: Envelope; outer: Envelope }> {}

@MessageType('spec.inner')
class Inner extends Command<Envelope> {}

@MessageType('spec.orphan')
class Orphan extends Command<void> {}

const log: string[] = [];
let total = 0;
const addedSeen: number[] = [];

@CommandHandler(Add)
class AddHandler implements ICommandHandler<Add> {
  constructor(@Inject(EventBus) private readonly events: EventBus) {}
  async execute(c: Add): Promise<number> {
    total += c.a + c.b;
    this.events.publish(new Added(c.a + c.b));
    return c.a + c.b;
  }
}

@QueryHandler(GetTotal)
class GetTotalHandler implements IQueryHandler<GetTotal> {
  async execute(): Promise<{ total: number }> {
    return { total };
  }
}

@EventsHandler(Added)
class AddedHandler implements IEventHandler<Added> {
  handle(e: Added): void {
    addedSeen.push(e.sum);
  }
}

@CommandHandler(Inner)
class InnerHandler implements ICommandHandler<Inner> {
  async execute(): Promise<Envelope> {
    return currentMessageContext()!.envelope;
  }
}

@CommandHandler(Nested)
class NestedHandler implements ICommandHandler<Nested> {
  constructor(private readonly mediator: CatgaMediator) {}
  async execute(): Promise<{ inner: Envelope; outer: Envelope }> {
    const outer = currentMessageContext()!.envelope;
    const inner = await this.mediator.send(new Inner());
    return { inner, outer };
  }
}

@Behavior({ order: 50 })
class RecordingBehavior implements PipelineBehavior {
  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    log.push(`before ${context.envelope.kind} ${context.envelope.type}`);
    const result = await next();
    log.push(`after ${context.envelope.type}`);
    return result;
  }
}

const handlers: Provider[] = [AddHandler, GetTotalHandler, AddedHandler, InnerHandler, NestedHandler];

async function boot(catga: DynamicModule) {
  @Module({ imports: [catga], providers: handlers })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  return app;
}

describe('CatgaModule', () => {
  it('reads the @nestjs/cqrs metadata keys it relies on', () => {
    assert.equal(Reflect.getMetadata(CQRS_COMMAND_HANDLER, AddHandler), Add);
    assert.equal(Reflect.getMetadata(CQRS_QUERY_HANDLER, GetTotalHandler), GetTotal);
    assert.deepEqual(Reflect.getMetadata(CQRS_EVENTS_HANDLER, AddedHandler), [Added]);
    assert.equal(typeof (Reflect.getMetadata(CQRS_COMMAND, Add) as { id: string }).id, 'string');
  });

  it('CommandBus.execute and CatgaMediator.send both run the handler through the pipeline', async () => {
    const app = await boot(CatgaModule.forRoot({ behaviors: [RecordingBehavior] }));
    try {
      log.length = 0;
      const viaBus: number = await app.get(CommandBus).execute(new Add(1, 2));
      const viaMediator: number = await app.get(CatgaMediator).send(new Add(3, 4));
      assert.equal(viaBus, 3);
      assert.equal(viaMediator, 7);
      assert.deepEqual(log, ['before command spec.add', 'after spec.add', 'before command spec.add', 'after spec.add']);
    } finally {
      await app.close();
    }
  });

  it('QueryBus.execute and CatgaMediator.send run queries through the pipeline as queries', async () => {
    const app = await boot(CatgaModule.forRoot({ behaviors: [RecordingBehavior] }));
    try {
      log.length = 0;
      const a = await app.get(QueryBus).execute(new GetTotal());
      const b: { total: number } = await app.get(CatgaMediator).send(new GetTotal());
      assert.equal(typeof a.total, 'number');
      assert.deepEqual(a, b);
      assert.deepEqual(
        log.filter((l) => l.startsWith('before')),
        ['before query spec.get-total', 'before query spec.get-total'],
      );
    } finally {
      await app.close();
    }
  });

  it('EventBus.publish and events raised in a handler reach @EventsHandler classes once', async () => {
    const app = await boot(CatgaModule.forRoot());
    try {
      addedSeen.length = 0;
      await app.get(EventBus).publish(new Added(100));
      await app.get(CatgaMediator).send(new Add(5, 5));
      await eventually(() =>
        assert.deepEqual(
          [...addedSeen].sort((x, y) => x - y),
          [10, 100],
        ),
      );
    } finally {
      await app.close();
    }
  });

  it('a message sent while handling another inherits its correlation id and names it as causation', async () => {
    const app = await boot(CatgaModule.forRoot());
    try {
      const { inner, outer } = await app.get(CatgaMediator).send(new Nested(), { correlationId: 'req-42' });
      assert.equal(outer.correlationId, 'req-42');
      assert.equal(inner.correlationId, 'req-42');
      assert.equal(inner.causationId, outer.id);
      assert.notEqual(inner.id, outer.id);
    } finally {
      await app.close();
    }
  });

  it('a command with no handler anywhere fails at once with an error naming its type', async () => {
    const app = await boot(CatgaModule.forRoot());
    try {
      await assert.rejects(app.get(CatgaMediator).send(new Orphan()), (e: unknown) => {
        assert.ok(e instanceof HandlerNotFoundError);
        assert.match(e.message, /spec\.orphan/);
        assert.equal(e.code, 'HANDLER_NOT_FOUND');
        return true;
      });
      await assert.rejects(app.get(CommandBus).execute(new Orphan()), (e: unknown) => {
        assert.ok(e instanceof HandlerNotFoundError, `CommandBus gave ${String(e)}`);
        assert.ok(!(e instanceof CommandHandlerNotFoundException));
        return true;
      });
    } finally {
      await app.close();
    }
  });

  it('forRootAsync accepts useFactory with inject and imports', async () => {
    const SERVICE = Symbol('service');
    @Module({ providers: [{ provide: SERVICE, useValue: 'billing' }], exports: [SERVICE] })
    class ConfigModule {}
    const app = await boot(
      CatgaModule.forRootAsync({
        imports: [ConfigModule],
        inject: [SERVICE],
        useFactory: (serviceName: string) => ({ serviceName, instanceId: 'i-1' }) satisfies CatgaModuleOptions,
      }),
    );
    try {
      const settings = app.get<CatgaSettings>(CATGA_SETTINGS);
      assert.equal(settings.serviceName, 'billing');
      assert.equal(settings.instanceId, 'i-1');
      assert.equal(await app.get(CatgaMediator).send(new Add(1, 1)), 2);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync accepts useClass and useExisting', async () => {
    @Injectable()
    class Options implements CatgaOptionsFactory {
      createCatgaOptions(): CatgaModuleOptions {
        return { serviceName: 'from-class' };
      }
    }
    const a = await boot(CatgaModule.forRootAsync({ useClass: Options }));
    try {
      assert.equal(a.get<CatgaSettings>(CATGA_SETTINGS).serviceName, 'from-class');
    } finally {
      await a.close();
    }
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    const b = await boot(CatgaModule.forRootAsync({ imports: [OptionsModule], useExisting: Options }));
    try {
      assert.equal(b.get<CatgaSettings>(CATGA_SETTINGS).serviceName, 'from-class');
    } finally {
      await b.close();
    }
  });

  it('forFeature adds a feature module behavior to the pipeline', async () => {
    @Module({ imports: [CatgaModule.forFeature({ behaviors: [RecordingBehavior] })] })
    class FeatureModule {}
    @Module({ imports: [CatgaModule.forRoot(), FeatureModule], providers: handlers })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await app.init();
    try {
      log.length = 0;
      await app.get(CatgaMediator).send(new Add(2, 2));
      assert.deepEqual(log, ['before command spec.add', 'after spec.add']);
    } finally {
      await app.close();
    }
  });

  it('the service name and instance id default from the environment', async () => {
    process.env.CATGA_SERVICE_NAME = 'env-service';
    process.env.CATGA_INSTANCE_ID = 'env-instance';
    try {
      const app = await boot(CatgaModule.forRoot());
      const s = app.get<CatgaSettings>(CATGA_SETTINGS);
      assert.deepEqual([s.serviceName, s.instanceId], ['env-service', 'env-instance']);
      await app.close();
    } finally {
      delete process.env.CATGA_SERVICE_NAME;
      delete process.env.CATGA_INSTANCE_ID;
    }
  });
});
