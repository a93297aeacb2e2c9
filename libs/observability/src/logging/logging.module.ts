import { CATGA_SETTINGS, type CatgaSettings } from '@catga/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination as pinoDestination, type DestinationStream, type Level } from 'pino';
import { catgaLogFields } from './catga-log.mixin.js';

/** Request and response headers that carry credentials: written as `[redacted]` wherever a line holds them. */
export const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

export interface CatgaLoggingOptions {
  /** Default `LOG_LEVEL`, else `info`. */
  level?: Level;
  /** Where JSON lines go. Default stdout. */
  destination?: DestinationStream;
  /** Log every HTTP request (pino-http). Default false: handlings are what Catga logs. */
  httpRequests?: boolean;
}

/**
 * JSON logs through nestjs-pino with service and instance on every line, and the message type,
 * message id, correlation id and trace id on every line written while a message is handled.
 * Use it with `app.useLogger(app.get(Logger))` (Logger from nestjs-pino).
 */
@Module({})
export class CatgaLoggingModule {
  static forRoot(options: CatgaLoggingOptions = {}): DynamicModule {
    return {
      module: CatgaLoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [CATGA_SETTINGS],
          useFactory: (settings: CatgaSettings) => {
            const pinoOptions = {
              level: options.level ?? (process.env.LOG_LEVEL as Level | undefined) ?? 'info',
              base: { service: settings.serviceName, instance: settings.instanceId },
              mixin: catgaLogFields,
              autoLogging: options.httpRequests ?? false,
              redact: {
                paths: REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`]),
                censor: '[redacted]',
              },
            };
            // Synchronous stdout by default: lines written during shutdown must reach it before exit.
            return { pinoHttp: [pinoOptions, options.destination ?? pinoDestination({ fd: 1, sync: true })] };
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
