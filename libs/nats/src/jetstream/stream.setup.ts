import { TransportUnavailableError } from '@catga/core';
import { backoffDelay, RetryableAttempt, retryUntilDeadline, sleep } from '@catga/core/transport';

import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import type { NatsSettings, NatsStreamSettings } from '../nats-settings.js';
import type { Subjects } from '../subjects.js';

const RETENTION = { limits: RetentionPolicy.Limits, interest: RetentionPolicy.Interest, workqueue: RetentionPolicy.Workqueue };

/** Attempts of one stream's create-or-update before the setup round counts as failed. */
const ENSURE_ATTEMPTS = 6;

/**
 * Creates or updates the event and dead-letter streams. A cluster without a JetStream leader
 * (a node restarting, an election) times out; the setup is retried until `setupTimeoutMs`, and
 * when it never succeeds the connection is closed.
 */
export async function setUpStreams(
  nc: NatsConnection,
  settings: NatsSettings,
  subjects: Subjects,
  logger: Logger,
): Promise<JetStreamManager> {
  const attempt = async (): Promise<JetStreamManager> => {
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, settings.stream, [subjects.allEvents()]);
      await ensureStream(jsm, settings.deadLetterStream, [subjects.allDeadLetters()]);
      return jsm;
    } catch (error) {
      if (nc.isClosed()) throw error;
      logger.warn(`JetStream not ready (${messageOf(error)}); retrying`);
      throw new RetryableAttempt(String(error));
    }
  };
  try {
    return await retryUntilDeadline(attempt, Date.now() + settings.setupTimeoutMs, { initialMs: 200, maxMs: 2_000 });
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw new TransportUnavailableError(`JetStream streams could not be set up: ${messageOf(error)}`, { cause: error });
  }
}

/** Creates the stream, or brings an existing one to the configured limits. Safe to race. */
export async function ensureStream(jsm: JetStreamManager, stream: NatsStreamSettings, subjects: string[]): Promise<void> {
  const name = stream.name;
  const wanted: Partial<StreamConfig> & { name: string } = {
    name,
    subjects,
    retention: RETENTION[stream.retention],
    storage: stream.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: nanos(stream.maxAgeMs),
    num_replicas: stream.replicas,
    duplicate_window: nanos(stream.duplicateWindowMs),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const info = await jsm.streams.info(name).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (!info) {
        await jsm.streams.add(wanted);
        return;
      }
      const c = info.config;
      const differs =
        c.max_age !== wanted.max_age ||
        c.duplicate_window !== wanted.duplicate_window ||
        c.num_replicas !== wanted.num_replicas ||
        subjects.some((s) => !c.subjects?.includes(s));
      if (differs) {
        // Retention and storage cannot change on a live stream; the rest can.
        await jsm.streams.update(name, {
          subjects: [...new Set([...(c.subjects ?? []), ...subjects])],
          max_age: wanted.max_age,
          duplicate_window: wanted.duplicate_window,
          num_replicas: wanted.num_replicas,
        });
      }
      return;
    } catch (error) {
      // Another instance created it in between, or the meta leader is moving: look again.
      if (attempt >= ENSURE_ATTEMPTS) throw error;
      await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 2_000 }));
    }
  }
}

export function isNotFound(error: unknown): boolean {
  const e = error as { code?: number; api_error?: { err_code?: number }; name?: string; message?: string };
  return (
    e?.name === 'StreamNotFoundError' ||
    e?.name === 'ConsumerNotFoundError' ||
    e?.api_error?.err_code === 10059 ||
    e?.api_error?.err_code === 10014 ||
    /not found/i.test(e?.message ?? '')
  );
}

function messageOf(error: unknown): string {
  return String((error as Error)?.message ?? error);
}
