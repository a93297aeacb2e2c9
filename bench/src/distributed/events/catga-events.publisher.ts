import { Module } from '@nestjs/common';
import { CatgaMediator, CatgaModule } from '@catga/core';
import { createBenchApp } from '../../scenarios/bench-app.js';
import { benchNatsTransport } from '../catga-nats.js';
import type { DistributedResult } from '../distributed-result.js';
import type { DistributedSettings } from '../distributed-settings.js';
import { Added } from './added.event.js';
import { measurePublishAndHandle, type PublishAndHandleRows } from './publish-and-handle.js';

/** Publishes through `CatgaMediator.publish` to the Catga subscriber process. */
export async function runCatgaPublisher(
  url: string,
  inFlight: number,
  settings: DistributedSettings,
  rows: PublishAndHandleRows,
): Promise<DistributedResult[]> {
  const bootStarted = performance.now();
  @Module({
    imports: [CatgaModule.forRoot({ serviceName: 'bench-publisher', transport: benchNatsTransport(url), pipeline: 'minimal' })],
  })
  class PublisherModule {}
  const app = await createBenchApp(PublisherModule);
  const mediator = app.get(CatgaMediator);
  const bootMs = performance.now() - bootStarted;
  try {
    const publish = (i: number, sentAt: number, timed: boolean) => mediator.publish(new Added(i, sentAt, timed));
    return await measurePublishAndHandle(url, publish, inFlight, settings, rows, bootMs);
  } finally {
    await app.close();
  }
}
