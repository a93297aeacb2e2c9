import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RunningServer } from '../running-server.js';
import { AddController } from './add.controller.js';

/** Stock @nestjs/microservices NATS transport, configured as its docs show. */
export async function startNestMicroservicesServer(url: string): Promise<RunningServer> {
  @Module({ controllers: [AddController] })
  class AddMicroserviceModule {}
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AddMicroserviceModule, {
    transport: Transport.NATS,
    options: { servers: [url] },
    logger: ['error', 'warn'],
  });
  await app.listen();
  // A request sent before the server knows the subscription would wait forever: this client has no timeout.
  await app.unwrap<NatsConnection>().flush();
  return { close: () => app.close() };
}
