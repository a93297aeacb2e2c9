import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newMessageId, PermissionDeniedError, type Envelope } from '@catga/core';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { NatsTransport } from '../nats.transport.js';

describe('NATS transport, a subject its user may not publish to', () => {
  let server: NatsServerHandle;
  let caller: NatsTransport;
  let responder: NatsTransport;

  before(async () => {
    // Two users: one that may not send billing.charge.
    const conf = join(mkdtempSync(join(tmpdir(), 'catga-perm-')), 'users.conf');
    writeFileSync(
      conf,
      [
        'authorization { users: [',
        '  { user: caller, password: pw, permissions: { publish: { deny: ["perm.req.billing.charge"] } } }',
        '  { user: responder, password: pw }',
        '] }',
      ].join('\n'),
    );
    server = await startNatsServer({ args: ['-c', conf] });
    const options = { servers: server.url, subjectPrefix: 'perm' };
    caller = new NatsTransport({ ...options, connection: { user: 'caller', pass: 'pw' } });
    responder = new NatsTransport({ ...options, connection: { user: 'responder', pass: 'pw' } });
    await Promise.all([caller.start(), responder.start()]);
    await responder.serve('billing.charge', async () => ({ ok: true, result: 'charged' }), { group: 'billing' });
    await responder.serve('billing.status', async () => ({ ok: true, result: 'fine' }), { group: 'billing' });
  });

  after(async () => {
    await caller?.close();
    await responder?.close();
    await server?.stop();
  });

  const envelope = (type: string): Envelope => ({
    id: newMessageId(),
    type,
    kind: 'command',
    correlationId: 'c',
    causationId: undefined,
    timestamp: Date.now(),
    headers: {},
    body: {},
  });

  it('is refused with PERMISSION_DENIED at once, not retried until the deadline as a TIMEOUT', async () => {
    await assert.rejects(caller.request(envelope('billing.charge'), { timeoutMs: 20_000 }), (error: unknown) => {
      assert.ok(error instanceof PermissionDeniedError, String(error));
      assert.equal(error.retryable, false);
      assert.match(error.message, /billing\.charge/);
      return true;
    });
  });

  it('leaves the subjects it may use working', async () => {
    assert.deepEqual(await caller.request(envelope('billing.status'), { timeoutMs: 5_000 }), { ok: true, result: 'fine' });
  });
});
