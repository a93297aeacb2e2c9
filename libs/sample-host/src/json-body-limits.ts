import type { IncomingMessage } from 'node:http';
import { assertJsonWithinLimits, CatgaError } from '@catga/core';
import express, { type RequestHandler } from 'express';

/**
 * The JSON body parser of the sample services (100 KB at most, Express's default), after the same
 * one-pass check the bus applies to message bodies: nesting over 64 levels, an array over 10 000
 * elements or a string over 64 KiB is refused before anything parses or validates it. The
 * refusal is the typed error (400 MALFORMED_MESSAGE, 413 PAYLOAD_TOO_LARGE), not a 500 from a
 * stack overflow deep in class-transformer.
 */
export function boundedJsonBodies(): RequestHandler {
  return express.json({
    verify: (_req: IncomingMessage, _res: unknown, body: Buffer) => {
      try {
        assertJsonWithinLimits(body, { what: 'Request body' });
      } catch (error) {
        // body-parser keeps the error's `status` and hands it on to the error handler.
        if (error instanceof CatgaError) Object.assign(error, { status: error.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, expose: true });
        throw error;
      }
    },
  });
}
