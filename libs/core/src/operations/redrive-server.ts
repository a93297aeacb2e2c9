import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '../envelope/envelope.js';
import { HandlerNotFoundError } from '../errors/catga-errors.js';
import { serializeError } from '../errors/error.serializer.js';
import { CATGA_TRANSPORT } from '../tokens/catga.tokens.js';
import type { Reply, Transport, TransportSubscription } from '../transport/transport.interface.js';
import { eventOfRedrive, redriveType } from './dead-letter-redrive.js';

/** Hands one event to a group's handler of its type, through the pipeline, as a delivery would. */
export type RedriveDelivery = (event: Envelope) => Promise<void>;

/**
 * Where this instance's durable groups take their dead letters back: each group serves
 * `catga.redrive.<group>` in its own queue from its first handler on, whichever way the handler
 * was written (@nestjs/cqrs, `CatgaEndpoints`).
 */
@Injectable()
export class RedriveServer {
  private readonly groups = new Map<string, Map<string, RedriveDelivery>>();

  constructor(@Inject(CATGA_TRANSPORT) private readonly transport: Transport) {}

  /** Adds a group's handler of `type`; resolves with the subscription when it is the group's first. */
  async add(group: string, type: string, deliver: RedriveDelivery): Promise<TransportSubscription | undefined> {
    const known = this.groups.get(group);
    if (known) {
      known.set(type, deliver);
      return undefined;
    }
    const byType = new Map([[type, deliver]]);
    this.groups.set(group, byType);
    return this.transport.serve(redriveType(group), (request) => this.redrive(request, byType), { group });
  }

  private async redrive(request: Envelope, byType: ReadonlyMap<string, RedriveDelivery>): Promise<Reply> {
    try {
      const event = eventOfRedrive(request.body);
      const deliver = byType.get(event.type);
      if (!deliver) throw new HandlerNotFoundError(event.type, { messageId: event.id });
      await deliver(event);
      return { ok: true, result: { messageId: event.id } };
    } catch (error) {
      return { ok: false, error: serializeError(error, request.id) };
    }
  }
}
