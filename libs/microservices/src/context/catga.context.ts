import type { Envelope } from '@catga/core';
import { BaseRpcContext } from '@nestjs/microservices';

type CatgaContextArgs = [pattern: string, envelope: Envelope, delivery: number];

/** What `@Ctx()` gives a handler served by `CatgaServer`: the pattern, the envelope and, for events, the delivery count. */
export class CatgaContext extends BaseRpcContext<CatgaContextArgs> {
  /** The pattern as Nest routes it (an object pattern as JSON with its keys sorted). */
  getPattern(): string {
    return this.args[0];
  }

  /** The Catga type the pattern travels under (see `patternType`). */
  getType(): string {
    return this.args[1].type;
  }

  getEnvelope(): Envelope {
    return this.args[1];
  }

  /** Kept by retries and redeliveries; idempotency keys on it. */
  getMessageId(): string {
    return this.args[1].id;
  }

  getCorrelationId(): string {
    return this.args[1].correlationId;
  }

  getCausationId(): string | undefined {
    return this.args[1].causationId;
  }

  getHeaders(): Readonly<Record<string, string>> {
    return this.args[1].headers;
  }

  /** 1 on the first delivery of an event, then +1 per redelivery; 1 for a request. */
  getDelivery(): number {
    return this.args[2];
  }
}
