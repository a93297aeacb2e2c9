import { bootCatgaApp } from '../../scenarios/catga-app.js';
import type { RunningServer } from '../running-server.js';
import { benchNatsTransport } from '../catga-nats.js';

/** Hosts the Add handler; Catga serves it on the `bench-server` queue group. */
export async function startCatgaServer(url: string, pipeline: 'default' | 'minimal'): Promise<RunningServer> {
  const app = await bootCatgaApp({
    serviceName: 'bench-server',
    transport: benchNatsTransport(url),
    ...(pipeline === 'minimal' ? { pipeline: 'minimal' as const } : {}),
  });
  return { close: () => app.close() };
}
