import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsStreamOptions } from '../nats-transport-options.interface.js';

const RETENTION = { limits: RetentionPolicy.Limits, interest: RetentionPolicy.Interest, workqueue: RetentionPolicy.Workqueue };

/** Creates the stream, or brings an existing one to the configured limits. Safe to race. */
export async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  options: NatsStreamOptions,
): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name,
    subjects,
    retention: RETENTION[options.retention ?? 'limits'],
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3600_000),
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
  };
  for (let attempt = 0; ; attempt++) {
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
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
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
