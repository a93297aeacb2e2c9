// Drives Catga handlers with a raw NATS client and only what docs/PROTOCOL.md says,
// as a client written in another language would.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatgaModule, MessageType } from '@catga/core';
import { eventually, uniqueSuffix } from '@catga/core/conformance';
import { natsTransport } from '@catga/nats';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CommandHandler,
  EventsHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IEventHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { IsString, MinLength } from 'class-validator';

@MessageType('proto.greet')
class Greet {
  @IsString() @MinLength(1) name!: string;
}

@MessageType('proto.count')
class CountGreetings extends Query<number> {}

@MessageType('proto.greeted')
class Greeted {
  name!: string;
}

/** Takes `ms` to answer. */
@MessageType('proto.slow-greet')
class SlowGreet {
  @IsString() @MinLength(1) name!: string;
  ms!: number;
}

@MessageType('proto.stamp')
class Stamp {
  at!: unknown;
}

@CommandHandler(Stamp)
class StampHandler implements ICommandHandler<Stamp> {
  async execute(c: Stamp): Promise<{ next: Date; wasDate: boolean }> {
    const at = c.at instanceof Date ? c.at : new Date(String(c.at));
    return { next: new Date(at.getTime() + 86_400_000), wasDate: c.at instanceof Date };
  }
}

let greetings = 0;
const greeted: Array<{ name: string; correlation: string | undefined }> = [];

@CommandHandler(Greet)
class GreetHandler implements ICommandHandler<Greet> {
  async execute(c: Greet): Promise<{ text: string; instance: boolean }> {
    greetings++;
    return { text: `hello ${c.name}`, instance: c instanceof Greet };
  }
}

@CommandHandler(SlowGreet)
class SlowGreetHandler implements ICommandHandler<SlowGreet> {
  async execute(c: SlowGreet): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, c.ms));
    return `hello ${c.name}`;
  }
}

@QueryHandler(CountGreetings)
class CountHandler implements IQueryHandler<CountGreetings> {
  async execute(): Promise<number> {
    return greetings;
  }
}

@EventsHandler(Greeted)
class GreetedHandler implements IEventHandler<Greeted> {
  handle(e: Greeted): void {
    if (e.name === 'poison') throw new Error('cannot greet poison');
    greeted.push({ name: e.name, correlation: undefined });
  }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads replies as a foreign client would, untyped
const parse = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as Record<string, any>;

describe('the wire protocol, from a raw NATS client', () => {
  let server: NatsServerHandle;
  let app: INestApplicationContext;
  let nc: NatsConnection;
  const prefix = `proto${uniqueSuffix()}`;
  const PREFIX = prefix.toUpperCase();

  const request = async (type: string, body: Uint8Array, headers: Record<string, string>) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    const reply = await nc.request(`${prefix}.req.${type}`, body, { headers: h, timeout: 5_000 });
    return parse(reply.data);
  };

  before(async () => {
    server = await startNatsServer();
    @Module({
      imports: [
        CatgaModule.forRoot({
          serviceName: 'greeter',
          transport: natsTransport({
            servers: server.url,
            subjectPrefix: prefix,
            maxPayloadBytes: 4096,
            consumer: { maxDeliveries: 2, redeliveryDelayMs: 10 },
          }),
        }),
      ],
      providers: [GreetHandler, SlowGreetHandler, CountHandler, GreetedHandler, StampHandler],
    })
    class GreeterModule {}
    app = await NestFactory.createApplicationContext(GreeterModule, { logger: ['error'] });
    await app.init();
    nc = await connect({ servers: server.url });
  });

  after(async () => {
    await nc?.close();
    await app?.close();
    await server?.stop();
  });

  it('a command with the documented headers and a JSON body gets {"ok":true,"result"}', async () => {
    const reply = await request('proto.greet', json({ name: 'ada' }), {
      'Catga-Message-Id': `raw-${uniqueSuffix()}`,
      'Catga-Kind': 'command',
      'Content-Type': 'application/json',
    });
    assert.deepEqual(reply, { ok: true, result: { text: 'hello ada', instance: true } });
  });

  it('Catga-Body-Marks: a marked ISO string arrives as a Date, and a Date in the result comes back marked', async () => {
    const headers = (marks?: string) => ({
      'Catga-Message-Id': `raw-${uniqueSuffix()}`,
      'Content-Type': 'application/json',
      ...(marks === undefined ? {} : { 'Catga-Body-Marks': marks }),
    });
    const body = json({ at: '2026-12-01T00:00:00.000Z' });
    assert.deepEqual(await request('proto.stamp', body, headers('[[["at"],"Date"]]')), {
      ok: true,
      result: { next: '2026-12-02T00:00:00.000Z', wasDate: true },
      marks: [[['next'], 'Date']],
    });
    // Without the header the JSON is taken as it is.
    assert.deepEqual(await request('proto.stamp', body, headers()), {
      ok: true,
      result: { next: '2026-12-02T00:00:00.000Z', wasDate: false },
      marks: [[['next'], 'Date']],
    });
    const wrong = (await request('proto.stamp', json({ at: 'not a date' }), headers('[[["at"],"Date"]]'))) as {
      ok: boolean;
      error: { code: string };
    };
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error.code, 'MALFORMED_MESSAGE');
  });

  it('a repeat with the same Catga-Message-Id returns the first outcome and runs once', async () => {
    const id = `raw-${uniqueSuffix()}`;
    const before = greetings;
    const a = await request('proto.greet', json({ name: 'bob' }), { 'Catga-Message-Id': id });
    const b = await request('proto.greet', json({ name: 'bob' }), { 'Catga-Message-Id': id });
    assert.deepEqual(a, b);
    assert.equal(greetings - before, 1);
  });

  /** Every message on the reply subject until the reply: progress ones as `progress`. */
  const requestWithProgress = async (body: unknown, headers: Record<string, string>) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries({ 'Catga-Message-Id': `slow-${uniqueSuffix()}`, ...headers })) h.set(k, v);
    const seen: unknown[] = [];
    for await (const msg of await nc.requestMany(`${prefix}.req.proto.slow-greet`, json(body), {
      strategy: 'stall',
      maxWait: 5_000,
      stall: 5_000,
      headers: h,
    })) {
      if (msg.headers?.get('Catga-Progress') === '1') {
        assert.equal(msg.data.length, 0, 'a progress message has no body');
        seen.push('progress');
        continue;
      }
      seen.push(parse(msg.data));
      break;
    }
    return seen;
  };

  it('Catga-Progress-Ms: a request held longer than the interval hears Catga-Progress messages, then its reply', async () => {
    const seen = await requestWithProgress({ name: 'eve', ms: 700 }, { 'Catga-Progress-Ms': '200' });
    assert.ok(seen.filter((m) => m === 'progress').length >= 2, `progress before the reply: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.at(-1), { ok: true, result: 'hello eve' });
  });

  it('Catga-Progress-Ack: the first progress message comes on arrival, not after an interval', async () => {
    // Handled well within the interval: no progress unless asked to acknowledge.
    assert.deepEqual(await requestWithProgress({ name: 'fay', ms: 100 }, { 'Catga-Progress-Ms': '2000' }), [
      { ok: true, result: 'hello fay' },
    ]);
    assert.deepEqual(await requestWithProgress({ name: 'fay', ms: 100 }, { 'Catga-Progress-Ms': '2000', 'Catga-Progress-Ack': '1' }), [
      'progress',
      { ok: true, result: 'hello fay' },
    ]);
  });

  it('a query answers with its result', async () => {
    const reply = await request('proto.count', json({}), { 'Catga-Message-Id': `q-${uniqueSuffix()}`, 'Catga-Kind': 'query' });
    assert.equal(reply.ok, true);
    assert.equal(typeof reply.result, 'number');
  });

  it('an invalid body gets VALIDATION_FAILED with the failing property', async () => {
    const reply = await request('proto.greet', json({ name: '' }), { 'Catga-Message-Id': `raw-${uniqueSuffix()}` });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'VALIDATION_FAILED');
    assert.equal(reply.error.retryable, false);
    assert.deepEqual(
      reply.error.details.map((d: { property: string }) => d.property),
      ['name'],
    );
  });

  it('an undecodable body, a missing id, a wrong type and an oversize body get typed errors, and the service keeps answering', async () => {
    const id = `raw-${uniqueSuffix()}`;
    const notJson = await request('proto.greet', new TextEncoder().encode('{"name":'), { 'Catga-Message-Id': id });
    assert.equal(notJson.error.code, 'MALFORMED_MESSAGE');
    assert.equal(notJson.error.messageId, id);
    const noId = await request('proto.greet', json({ name: 'x' }), {});
    assert.equal(noId.error.code, 'MALFORMED_MESSAGE');
    const wrongType = await request('proto.greet', json({ name: 'x' }), {
      'Catga-Message-Id': `w-${uniqueSuffix()}`,
      'Catga-Type': 'proto.other',
    });
    assert.equal(wrongType.error.code, 'MALFORMED_MESSAGE');
    const big = await request('proto.greet', json({ name: 'x'.repeat(5000) }), { 'Catga-Message-Id': `b-${uniqueSuffix()}` });
    assert.equal(big.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(big.error.details.limit, 4096);
    const after = await request('proto.greet', json({ name: 'still here' }), { 'Catga-Message-Id': `ok-${uniqueSuffix()}` });
    assert.equal(after.ok, true);
  });

  it('an event published to JetStream with the documented headers is handled', async () => {
    const js = jetstream(nc);
    const h = natsHeaders();
    const id = `evt-${uniqueSuffix()}`;
    h.set('Catga-Message-Id', id);
    h.set('Catga-Type', 'proto.greeted');
    h.set('Catga-Correlation-Id', 'corr-raw');
    const ack = await js.publish(`${prefix}.evt.proto.greeted`, json({ name: 'carol' }), { msgID: id, headers: h });
    assert.equal(ack.stream, `${PREFIX}_EVENTS`);
    await eventually(() => assert.ok(greeted.some((g) => g.name === 'carol')), 10_000);
  });

  it('a poison event lands on the dead-letter stream with the documented headers', async () => {
    const js = jetstream(nc);
    const h = natsHeaders();
    const id = `poison-${uniqueSuffix()}`;
    h.set('Catga-Message-Id', id);
    h.set('Catga-Type', 'proto.greeted');
    await js.publish(`${prefix}.evt.proto.greeted`, json({ name: 'poison' }), { msgID: id, headers: h });
    const consumer = await js.consumers.get(`${PREFIX}_DLQ`, { deliver_policy: DeliverPolicy.All });
    const dead = await eventually(
      async () => {
        const msg = await consumer.next({ expires: 1_000 });
        assert.ok(msg, 'no dead letter yet');
        return msg;
      },
      15_000,
      50,
    );
    assert.equal(dead.subject, `${prefix}.dlq.proto.greeted`);
    assert.equal(dead.headers?.get('Catga-Message-Id'), id);
    assert.equal(dead.headers?.get('Catga-Dead-Group'), 'greeter.GreetedHandler');
    assert.equal(dead.headers?.get('Catga-Dead-Deliveries'), '2');
    const error = JSON.parse(dead.headers?.get('Catga-Dead-Error') ?? '{}') as { code: string; message: string };
    assert.equal(error.code, 'HANDLER_FAILED');
    assert.match(error.message, /cannot greet poison/);
    assert.deepEqual(parse(dead.data), { name: 'poison' });
  });
});
