import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TransportUnavailableError } from '@catga/core';
import { uniqueSuffix } from '@catga/core/conformance';
import { startNatsServer, type NatsServerHandle } from '@catga/testing';
import { natsConnectionFromEnv } from './nats-connection.from-env.js';
import { natsTransportFromEnv } from './nats-transport.from-env.js';

describe('NATS credentials from the environment', () => {
  let server: NatsServerHandle;
  const context = { serviceName: 'payments', instanceId: 'p-1' };

  before(async () => {
    server = await startNatsServer({ args: ['--user', 'payments', '--pass', 's3cret'] });
  });

  after(async () => {
    await server?.stop();
  });

  it('a transport from CATGA_NATS_URL with CATGA_NATS_USER and CATGA_NATS_PASSWORD connects to a server that requires them', async () => {
    const env = { CATGA_NATS_URL: server.url, CATGA_NATS_USER: 'payments', CATGA_NATS_PASSWORD: 's3cret' };
    const transport = natsTransportFromEnv(context, env, { subjectPrefix: `creds${uniqueSuffix()}` });
    try {
      await transport.start();
      assert.equal((await transport.health()).up, true);
    } finally {
      await transport.close();
    }
  });

  it('without them, or with a wrong password, start fails with TRANSPORT_UNAVAILABLE', async () => {
    for (const env of [
      { CATGA_NATS_URL: server.url },
      { CATGA_NATS_URL: server.url, CATGA_NATS_USER: 'payments', CATGA_NATS_PASSWORD: 'wrong' },
    ]) {
      const transport = natsTransportFromEnv(context, env, { subjectPrefix: `creds${uniqueSuffix()}`, maxReconnectAttempts: 0 });
      await assert.rejects(transport.start(), TransportUnavailableError);
      await transport.close();
    }
  });

  it('reads a token, TLS files, and refuses half a pair', () => {
    assert.deepEqual(natsConnectionFromEnv({ CATGA_NATS_TOKEN: 't' }), { token: 't' });
    assert.deepEqual(natsConnectionFromEnv({ CATGA_NATS_TLS_CA: '/ca.pem' }), { tls: { caFile: '/ca.pem' } });
    assert.deepEqual(natsConnectionFromEnv({ CATGA_NATS_TLS_CERT: '/c.pem', CATGA_NATS_TLS_KEY: '/k.pem' }), {
      tls: { certFile: '/c.pem', keyFile: '/k.pem' },
    });
    assert.throws(() => natsConnectionFromEnv({ CATGA_NATS_TLS_CERT: '/c.pem' }), /go together/);
    assert.throws(() => natsConnectionFromEnv({ CATGA_NATS_PASSWORD: 'p' }), /without CATGA_NATS_USER/);
    assert.deepEqual(natsConnectionFromEnv({}), {});
  });
});
