import 'reflect-metadata';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { natsTransport } from '@catga/nats';
import { startNatsServer, startRedisServer, type NatsServerHandle, type RedisServerHandle } from '@catga/testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startSampleService, type RunningService } from './sample-services.js';

export interface OrderSystemOptions {
  /** order-service processes; they serve PlaceOrder in one queue group, so each orchestrates the sagas it receives. */
  readonly replicas: number;
  /** Service name of the client that places the orders from this process. */
  readonly clientName: string;
  readonly redisPrefix: string;
  /** Environment for the order-service replicas only, on top of the shared one. */
  readonly orderServiceEnv?: Record<string, string>;
}

export interface OrderSystem {
  /** The client's mediator: PlaceOrder sent on it goes over NATS to an order-service replica. */
  readonly mediator: CatgaMediator;
  /** The run's own nats-server and redis-server (pids under `process`, the monitoring port of NATS under `monitor`). */
  readonly nats: NatsServerHandle;
  readonly redis: RedisServerHandle;
  /** The sample service processes: payment-service, inventory-service, then the order-service replicas. */
  readonly services: readonly RunningService[];
  /** Closes the client, then the services, then the servers. */
  stop(): Promise<void>;
}

/**
 * The order system on a fresh nats-server and redis-server of its own (so one run sees nothing of
 * another's): payment- and inventory-service, `replicas` order-service processes, and a client
 * Catga app in this process.
 */
export async function startOrderSystem(options: OrderSystemOptions): Promise<OrderSystem> {
  const [nats, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
  const env = { CATGA_NATS_URL: nats.url, CATGA_REDIS_URL: redis.url, CATGA_REDIS_PREFIX: options.redisPrefix };
  const services: RunningService[] = [];
  const stopServices = async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await Promise.allSettled([nats.stop(), redis.stop()]);
  };
  try {
    const started = await Promise.allSettled([
      startSampleService('payment-service', env),
      startSampleService('inventory-service', env),
      ...Array.from({ length: options.replicas }, (_, i) =>
        startSampleService('order-service', { ...env, ...options.orderServiceEnv }, `order-service-${i + 1}`),
      ),
    ]);
    for (const s of started) if (s.status === 'fulfilled') services.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    @Module({
      imports: [
        CatgaModule.forRoot({ serviceName: options.clientName, transport: natsTransport({ servers: nats.url }), pipeline: 'minimal' }),
      ],
    })
    class OrderClientModule {}
    const app = await NestFactory.createApplicationContext(OrderClientModule, { logger: ['error'] });
    await app.init();
    return {
      mediator: app.get(CatgaMediator),
      nats,
      redis,
      services,
      stop: async () => {
        try {
          await app.close();
        } finally {
          await stopServices();
        }
      },
    };
  } catch (error) {
    await stopServices();
    throw error;
  }
}
