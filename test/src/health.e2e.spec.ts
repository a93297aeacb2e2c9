import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaMediator, CatgaModule, MessageType } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { CatgaHealthModule } from '@catga/observability';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

@MessageType('health.slow')
class Slow extends Command<string> {}

let release: (() => void) | undefined;
let started = false;

@CommandHandler(Slow)
class SlowHandler implements ICommandHandler<Slow> {
  async execute(): Promise<string> {
    started = true;
    await new Promise<void>((r) => (release = r));
    return 'done';
  }
}

describe('health endpoints', () => {
  let nats: NatsServerHandle;
  let app: INestApplication;
  let base: string;
  const status = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return {
      code: r.status,
      body: (await r.json()) as { status: string; error?: Record<string, unknown>; details: Record<string, { status: string }> },
    };
  };

  before(async () => {
    nats = await startNatsServer();
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'healthy',
          transport: natsTransport({ servers: nats.url, subjectPrefix: `h${uniqueSuffix()}`, reconnectTimeWaitMs: 200 }),
        }),
        CatgaHealthModule.forRoot(),
      ],
      providers: [SlowHandler],
    })
    class HealthyModule {}
    app = await NestFactory.create(HealthyModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    release?.();
    await app?.close().catch(() => undefined);
    await nats?.stop();
  });

  it('readiness follows NATS down and back up while liveness stays up', async () => {
    assert.equal((await status('/health/ready')).code, 200);
    assert.equal((await status('/health')).body.details.transport!.status, 'up');
    await nats.kill('SIGKILL');
    await eventually(async () => assert.equal((await status('/health/ready')).code, 503), 10_000, 100);
    assert.equal((await status('/health/live')).code, 200);
    await nats.restart();
    await eventually(async () => assert.equal((await status('/health/ready')).code, 200), 20_000, 100);
  });

  it('readiness goes down as soon as shutdown starts, before the process is gone', async () => {
    const sending = app.get(CatgaMediator).send(new Slow());
    await eventually(() => assert.ok(started));
    const closing = app.close();
    await eventually(
      async () => {
        const ready = await status('/health/ready');
        assert.equal(ready.code, 503);
        assert.equal(ready.body.details.lifecycle!.status, 'down');
      },
      5_000,
      20,
    );
    release!();
    assert.equal(await sending, 'done');
    await closing;
  });
});
