import { Module } from '@nestjs/common';
import { CatgaModule } from '@catga/core';
import { connect } from '@nats-io/transport-node';
import { createBenchApp } from '../../scenarios/bench-app.js';
import { benchNatsTransport } from '../catga-nats.js';
import type { RunningServer } from '../running-server.js';
import { AddedHandler } from './added.handler.js';
import { answerSubscriberControl } from './subscriber-control.js';

/** Hosts the `@EventsHandler(Added)` with the default pipeline; Catga gives it a durable JetStream consumer. */
export async function startCatgaEventsSubscriber(url: string): Promise<RunningServer> {
  @Module({
    imports: [CatgaModule.forRoot({ serviceName: 'bench-subscriber', transport: benchNatsTransport(url) })],
    providers: [AddedHandler],
  })
  class SubscriberModule {}
  const app = await createBenchApp(SubscriberModule);
  const control = await connect({ servers: url, noAsyncTraces: true });
  await answerSubscriberControl(control, app.get(AddedHandler).tally);
  return {
    close: async () => {
      await control.drain();
      await app.close();
    },
  };
}
