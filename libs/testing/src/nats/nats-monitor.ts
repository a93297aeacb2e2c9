import { httpGet } from '../net/http-get.js';
import { LOOPBACK_HOST } from '../net/host-port.js';

// Only the fields this package relies on are typed; the rest stays reachable as unknown.

export interface NatsHealthz {
  /** HTTP status: 200 healthy, 503 e.g. while JetStream has no meta leader. */
  readonly httpStatus: number;
  readonly status: string;
  readonly error?: string;
}

export interface NatsVarz {
  readonly server_id: string;
  readonly server_name: string;
  readonly version: string;
  readonly port: number;
  readonly connections: number;
  readonly routes: number;
  readonly jetstream?: {
    readonly config?: { readonly store_dir?: string; readonly max_memory?: number; readonly max_storage?: number };
  };
  readonly [field: string]: unknown;
}

export interface NatsJsz {
  readonly server_id: string;
  readonly streams: number;
  readonly consumers: number;
  readonly messages: number;
  readonly meta_cluster?: {
    readonly name?: string;
    /** Server name of the meta leader; stale for a few seconds after the leader dies. */
    readonly leader?: string;
    readonly cluster_size?: number;
    readonly replicas?: readonly { readonly name: string; readonly current: boolean }[];
  };
  readonly [field: string]: unknown;
}

export interface NatsRoutez {
  readonly num_routes: number;
  readonly routes: readonly { readonly remote_id: string; readonly ip: string; readonly port: number }[];
  readonly [field: string]: unknown;
}

/** Typed reads of a nats-server HTTP monitoring port. */
export class NatsMonitor {
  readonly baseUrl: string;

  constructor(readonly port: number) {
    this.baseUrl = `http://${LOOPBACK_HOST}:${port}`;
  }

  async healthz(): Promise<NatsHealthz> {
    const response = await httpGet(`${this.baseUrl}/healthz`);
    const body = parseJsonObject(response.body, '/healthz');
    return {
      httpStatus: response.status,
      status: String(body['status'] ?? ''),
      ...(typeof body['error'] === 'string' ? { error: body['error'] } : {}),
    };
  }

  varz(): Promise<NatsVarz> {
    return this.getJson<NatsVarz>('/varz');
  }

  jsz(): Promise<NatsJsz> {
    return this.getJson<NatsJsz>('/jsz');
  }

  routez(): Promise<NatsRoutez> {
    return this.getJson<NatsRoutez>('/routez');
  }

  /** Distinct servers this one has a route to (duplicate routes can exist briefly while connecting). */
  async routedServerIds(): Promise<Set<string>> {
    const routez = await this.routez();
    return new Set((routez.routes ?? []).map((route) => route.remote_id));
  }

  private async getJson<T>(path: string): Promise<T> {
    const response = await httpGet(`${this.baseUrl}${path}`);
    if (response.status !== 200) throw new Error(`GET ${path} returned HTTP ${response.status}: ${response.body}`);
    return parseJsonObject(response.body, path) as T;
  }
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error(`${what} did not return a JSON object`);
  return value as Record<string, unknown>;
}
