import 'reflect-metadata';
import { CatgaModule, CatgaOperations, type Transport, type TransportContext } from '@catga/core';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface ConnectionFlags {
  /** NATS servers; default `CATGA_NATS_URL`. */
  nats?: string;
  /** Redis URL; default `CATGA_REDIS_URL`. */
  redis?: string;
  /** `nats` (default when a NATS URL is known) or `redis-streams`. */
  transport?: string;
  /** NATS subject prefix of the services (default `catga`). */
  subjectPrefix?: string;
  /** Redis key prefix of the services; default `CATGA_REDIS_PREFIX`, else `catga`. */
  redisPrefix?: string;
  /** Log what Catga does while the command runs. */
  verbose?: boolean;
}

/** An open connection to the system: the operations, and how to leave. */
export interface Session {
  readonly operations: CatgaOperations;
  /** What the session is connected to, for the human output. */
  readonly describe: string;
  close(): Promise<void>;
}

type TransportFactory = (context: TransportContext) => Transport;

/**
 * Joins the system as a Catga instance of its own (`catga-cli`) with the same environment the
 * services use (`CATGA_NATS_URL`, `CATGA_REDIS_URL`, `CATGA_REDIS_PREFIX`, credentials and TLS),
 * the flags overriding it. It serves nothing and resumes no saga.
 */
export async function openSession(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const natsUrl = flags.nats ?? env.CATGA_NATS_URL;
  const redisUrl = flags.redis ?? env.CATGA_REDIS_URL;
  const redisPrefix = flags.redisPrefix ?? env.CATGA_REDIS_PREFIX;
  const kind = flags.transport ?? (natsUrl ? 'nats' : redisUrl ? 'redis-streams' : undefined);
  if (!kind)
    throw new UsageError('Nothing to connect to: set CATGA_NATS_URL (or --nats), or CATGA_REDIS_URL with --transport redis-streams');
  const childEnv: NodeJS.ProcessEnv = { ...env, CATGA_NATS_URL: natsUrl, CATGA_REDIS_URL: redisUrl, CATGA_REDIS_PREFIX: redisPrefix };
  if (!natsUrl) delete childEnv.CATGA_NATS_URL;
  if (!redisUrl) delete childEnv.CATGA_REDIS_URL;
  if (!redisPrefix) delete childEnv.CATGA_REDIS_PREFIX;
  const transport = await transportFor(kind, natsUrl, redisUrl, flags, childEnv);
  const stores = redisUrl ? await redisStores(childEnv) : undefined;

  @Module({
    imports: [
      CatgaModule.forRoot({
        serviceName: 'catga-cli',
        transport,
        ...(stores ? { stores } : {}),
        saga: { recoveryIntervalMs: 0 },
      }),
    ],
  })
  class CliModule {}

  const app: INestApplicationContext = await NestFactory.createApplicationContext(CliModule, {
    logger: flags.verbose ? ['log', 'warn', 'error'] : false,
    abortOnError: false,
  });
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new UnavailableError(
      `Cannot connect (${kind}${natsUrl ? ` ${natsUrl}` : ''}${redisUrl ? `, Redis ${redisUrl}` : ''}): ${(error as Error)?.message ?? String(error)}`,
    );
  }
  return {
    operations: app.get(CatgaOperations),
    describe: `${kind}${redisUrl ? ' + Redis' : ''}`,
    close: () => app.close(),
  };
}

async function transportFor(
  kind: string,
  natsUrl: string | undefined,
  redisUrl: string | undefined,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
): Promise<TransportFactory> {
  if (kind === 'nats') {
    if (!natsUrl) throw new UsageError('--transport nats needs CATGA_NATS_URL or --nats');
    const nats = await load<typeof import('@catga/nats')>('@catga/nats');
    return (context) => nats.natsTransportFromEnv(context, env, flags.subjectPrefix ? { subjectPrefix: flags.subjectPrefix } : {});
  }
  if (kind === 'redis-streams') {
    if (!redisUrl) throw new UsageError('--transport redis-streams needs CATGA_REDIS_URL or --redis');
    const redis = await load<typeof import('@catga/redis')>('@catga/redis');
    return redis.redisStreamsTransport({ url: redisUrl, ...(env.CATGA_REDIS_PREFIX ? { keyPrefix: env.CATGA_REDIS_PREFIX } : {}) });
  }
  throw new UsageError(`Unknown transport ${kind}: nats or redis-streams`);
}

async function redisStores(env: NodeJS.ProcessEnv) {
  const redis = await load<typeof import('@catga/redis')>('@catga/redis');
  return redis.redisStoresFromEnv(env);
}

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new UnavailableError(`${name} is needed for this connection; install it (${(error as Error)?.message ?? String(error)})`);
  }
}

/** The command line was wrong. */
export class UsageError extends Error {}

/** What the command needs cannot be reached. */
export class UnavailableError extends Error {}
