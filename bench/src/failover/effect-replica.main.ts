// A replica of the failover section: applies ApplyEffect by incrementing its message id's counter
// in Redis as a held write, so the section can count how often each command's effect landed,
// whichever replica ran it. The failover mode comes from the environment: CATGA_FAILOVER
// (read by CatgaModule) and FAILOVER_PROGRESS_INTERVAL_MS (the NATS transport's progressIntervalMs).
import 'reflect-metadata';
import { CATGA_SETTINGS, CatgaModule, currentMessageContext, type CatgaSettings } from '@catga/core';
import { natsTransportFromEnv } from '@catga/nats';
import { holdRedisWrite, RedisIdempotencyStore } from '@catga/redis';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Redis } from 'ioredis';
import { exitWithParent } from '../distributed/exit-with-parent.js';
import { ApplyEffect, effectsKey } from './apply-effect.command.js';

exitWithParent();
const prefix = process.env.FAILOVER_PREFIX!;
const instance = process.env.CATGA_INSTANCE_ID!;
const progress = process.env.FAILOVER_PROGRESS_INTERVAL_MS;
const redis = new Redis(process.env.CATGA_REDIS_URL!);

@CommandHandler(ApplyEffect)
class ApplyEffectHandler implements ICommandHandler<ApplyEffect> {
  async execute(command: ApplyEffect): Promise<{ by: string }> {
    const id = currentMessageContext()!.envelope.id;
    if (command.workMs > 0) await new Promise((resolve) => setTimeout(resolve, command.workMs));
    holdRedisWrite('HINCRBY', effectsKey(prefix), id, 1);
    return { by: instance };
  }
}

@Module({
  imports: [
    CatgaModule.forRoot({
      serviceName: 'failover-effects',
      transport: (context) =>
        natsTransportFromEnv(context, process.env, progress === undefined ? {} : { progressIntervalMs: Number(progress) }),
      stores: { idempotency: new RedisIdempotencyStore(redis, { keyPrefix: prefix }) },
      pipeline: { logging: false },
    }),
  ],
  providers: [ApplyEffectHandler],
})
class EffectReplicaModule {}

const app = await NestFactory.createApplicationContext(EffectReplicaModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.init();
process.on('exit', () => redis.disconnect());
const settings = app.get<CatgaSettings>(CATGA_SETTINGS);
const claimTtlMs = settings.pipeline.idempotency ? settings.pipeline.idempotency.claimTtlMs : 'none';
// The section checks this line: the mode it asked for is the one the replica runs.
console.log(
  `failover replica ${instance} ready: failover=${settings.failover ? 'on' : 'off'} claimTtlMs=${claimTtlMs} ` +
    `progressIntervalMs=${progress ?? 'default'}`,
);
