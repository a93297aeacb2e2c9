import { Inject, Injectable } from '@nestjs/common';
import type { Command, Query } from '@nestjs/cqrs';
import { CATGA_DISPATCHER } from '../tokens/catga.tokens.js';
import type { Dispatcher } from './dispatcher.js';
import type { PublishOptions, SendOptions } from './send-options.js';

/**
 * Sends commands and queries (to a local handler, or over the transport to another instance)
 * and publishes events, through the same pipeline `CommandBus`, `QueryBus` and `EventBus` use.
 */
@Injectable()
export class CatgaMediator {
  constructor(@Inject(CATGA_DISPATCHER) private readonly dispatcher: Dispatcher) {}

  send<TResult>(message: Command<TResult> | Query<TResult>, options?: SendOptions): Promise<TResult>;
  send<TResult = unknown>(message: object, options?: SendOptions): Promise<TResult>;
  send(message: object, options?: SendOptions): Promise<unknown> {
    return this.dispatcher.send(message, options);
  }

  /** Publishes an event. Inside a command handler it is held until the command succeeds. */
  publish(event: object, options?: PublishOptions): Promise<void> {
    return this.dispatcher.publish(event, options);
  }

  publishAll(events: readonly object[], options?: PublishOptions): Promise<void> {
    return Promise.all(events.map((e) => this.dispatcher.publish(e, options))).then(() => undefined);
  }
}
