import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { CatgaModule } from '@catga/core';
import { eventually } from '@catga/core/conformance';
import { CatgaLoggingModule } from '@catga/observability';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';

// Its own file: nestjs-pino keeps one root logger per process, so this app needs a process of its own.
describe('request logs', () => {
  it('a logged request shows its credentials headers as [redacted]', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    @Controller()
    class PingController {
      @Get('ping')
      ping(): string {
        return 'pong';
      }
    }
    @Module({
      imports: [CatgaModule.forRoot({ serviceName: 'edge' }), CatgaLoggingModule.forRoot({ destination, httpRequests: true })],
      controllers: [PingController],
    })
    class EdgeModule {}
    const app = await NestFactory.create(EdgeModule, { bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const response = await fetch(`${url}/ping`, { headers: { authorization: 'Bearer top-secret-token', cookie: 'session=also-secret' } });
      assert.equal(response.status, 200);
      // pino-http writes the line when the response has finished, which may be after fetch resolves.
      const logged = await eventually(() => {
        const line = lines.find((l) => l.includes('"url":"/ping"'));
        assert.ok(line, lines.slice(-3).join('\n'));
        return line;
      });
      assert.ok(!logged.includes('top-secret-token') && !logged.includes('also-secret'), logged);
      assert.match(logged, /\[redacted\]/);
    } finally {
      await app.close();
    }
  });
});
