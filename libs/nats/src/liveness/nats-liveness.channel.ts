import { parseOwnerAddress, type Liveness, type LivenessChannel } from '@catga/core/transport';
import { Empty, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Subjects } from '../subjects.js';
import { classifyNatsError } from '../wire/nats-errors.js';

/**
 * Liveness over core NATS: each instance subscribes to its own `<prefix>.live.<service>.<id>`
 * and answers every request there. The server drops a SIGKILLed client's subscriptions as soon as
 * the kernel closes its socket, so a check of a dead instance gets "no responders" at once
 * (`gone`); a frozen or cut-off one stays subscribed until the server's ping timeout and does not
 * answer (`silent`). Nothing is sent until someone asks.
 */
export class NatsLivenessChannel implements LivenessChannel {
  private answering: Subscription | undefined;

  constructor(
    private readonly connection: () => Promise<NatsConnection>,
    private readonly subjects: Subjects,
  ) {}

  async answer(address: string): Promise<void> {
    const nc = await this.connection();
    this.answering?.unsubscribe();
    this.answering = nc.subscribe(this.subject(address), {
      callback: (error, msg) => {
        if (!error && msg.reply) msg.respond(Empty);
      },
    });
    await nc.flush();
  }

  async check(address: string, timeoutMs: number): Promise<Liveness> {
    const nc = await this.connection();
    try {
      await nc.request(this.subject(address), Empty, { timeout: timeoutMs });
      return 'alive';
    } catch (error) {
      const kind = classifyNatsError(error);
      if (kind === 'no-responders') return 'gone';
      if (kind === 'timeout') return 'silent';
      throw error;
    }
  }

  private subject(address: string): string {
    const parsed = parseOwnerAddress(address);
    if (!parsed) throw new Error(`Not an instance address: ${JSON.stringify(address)}`);
    return this.subjects.liveness(parsed.service, `${parsed.instance}@${parsed.epoch}`);
  }
}
