import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Added } from './added.event.js';
import { HandledTally } from './handled-tally.js';

@EventsHandler(Added)
export class AddedHandler implements IEventHandler<Added> {
  readonly tally = new HandledTally();

  handle(event: Added): void {
    this.tally.record(event.sentAt, event.timed);
  }
}
