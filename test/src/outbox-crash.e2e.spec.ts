import 'reflect-metadata';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { pollUntil, startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { EffectNotified, NotifyEffect } from './fixtures/effect.contracts.js';
import { startNodeProcess, type ServiceProcess } from './service-process.js';

const REPLICA = fileURLToPath(new URL('./fixtures/effect-service.main.js', import.meta.url));
const COMMANDS = 20;

const notified = new Map<number, number>();

@EventsHandler(EffectNotified)
class EffectNotifiedHandler implements IEventHandler<EffectNotified> {
  handle(event: EffectNotified): void {
    notified.set(event.n, (notified.get(event.n) ?? 0) + 1);
  }
}

// The window the outbox had: a replica stores a command's outcome and dies before its events
// are saved. Here the replica SIGKILLs itself the moment its outcome script returns. The retry
// of that command gets the stored outcome (the handler does not run again), so its event exists
// only if it was saved in the same script as the outcome; the relay of the survivor publishes it.
describe('a replica killed between storing an outcome and publishing its events', () => {
  let nats: NatsServerHandle;
  let redisServer: RedisServerHandle;
  let caller: INestApplicationContext;
  const replicas: ServiceProcess[] = [];

  before(async () => {
    [nats, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'outbox-crash-caller', transport: natsTransport({ servers: nats.url }) })],
      providers: [EffectNotifiedHandler],
    })
    class CallerModule {}
    caller = await NestFactory.createApplicationContext(CallerModule, { logger: ['error'] });
    await caller.init();
  });

  after(async () => {
    await caller?.close();
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    await Promise.all([nats?.stop(), redisServer?.stop()]);
  });

  it('loses no event: the outcome and the events were one write, and the survivor relays them', async () => {
    const prefix = `obx${uniqueSuffix()}`;
    const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redisServer.url, FAULTS_PREFIX: prefix };
    const [victim, survivor] = await Promise.all([
      startNodeProcess(REPLICA, { ...env, FAULTS_DIE_AFTER_OUTCOME: '1' }, /ready/, `${prefix}-victim`),
      startNodeProcess(REPLICA, env, /ready/, `${prefix}-survivor`),
    ]);
    replicas.push(victim!, survivor!);
    const victimExit = once(victim!.child, 'exit');

    const mediator = caller.get(CatgaMediator);
    const answers = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) => mediator.send(new NotifyEffect(i), { messageId: `${prefix}-${i}` })),
    );

    assert.equal((await victimExit)[1], 'SIGKILL', 'the victim killed itself after an outcome');
    const replayed = answers.flatMap((a, n) => (a.by === victim!.name ? [n] : []));
    // Its outcome scripts in flight when it died ran too: each of those commands was answered from
    // the outcome the victim stored, and the victim never published their events.
    assert.ok(replayed.length >= 1, 'some command has the outcome the victim stored just before it died (replayed to the retry)');
    await pollUntil(
      async () => {
        const missing = Array.from({ length: COMMANDS }, (_, n) => n).filter((n) => !notified.has(n));
        if (missing.length > 0) throw new Error(`no EffectNotified yet for ${missing.join(', ')}`);
      },
      { description: 'an EffectNotified for every command', timeoutMs: 30_000, intervalMs: 50 },
    );
    console.log(`outbox crash: ${replayed.length} outcome(s) stored by the victim as it died; every event arrived`);
  });
});
