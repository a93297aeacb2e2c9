import { Logger } from '@nestjs/common';
import type { MessageContext } from '../../context/message-context.js';
import { errorCodeOf, isRetryable, toCatgaError } from '../../errors/error.serializer.js';
import type { PipelineBehavior } from '../pipeline-behavior.interface.js';

/** Logs each handling with its type, ids and duration; failures at warn level with the error code. */
export class LoggingBehavior implements PipelineBehavior {
  private readonly logger = new Logger('Catga');

  async handle(context: MessageContext, next: () => Promise<unknown>): Promise<unknown> {
    const { envelope } = context;
    const started = performance.now();
    try {
      const result = await next();
      if (Logger.isLevelEnabled('debug'))
        this.logger.debug(
          `${envelope.kind} ${envelope.type} handled by ${context.handler} in ${(performance.now() - started).toFixed(1)} ms ` +
            `(id=${envelope.id} correlation=${envelope.correlationId})`,
        );
      return result;
    } catch (error) {
      const e = toCatgaError(error, envelope.id);
      this.logger.warn(
        `${envelope.kind} ${envelope.type} failed in ${context.handler} after ${(performance.now() - started).toFixed(1)} ms: ` +
          `${errorCodeOf(error)} ${e.message} (id=${envelope.id} correlation=${envelope.correlationId} retryable=${isRetryable(error)})`,
      );
      throw error;
    }
  }
}
