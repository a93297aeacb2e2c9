import { CatgaError } from './catga.error.js';
import { HandlerFailedError } from './catga-errors.js';
import { errorClassOf, type ErrorClass } from './error-code.decorator.js';

/** The JSON shape of an error on the wire and in the idempotency store. */
export interface SerializedError {
  code: string;
  name: string;
  message: string;
  retryable: boolean;
  messageId?: string;
  details?: unknown;
}

/** Any thrown value as a `CatgaError`: non-Catga errors become `HandlerFailedError`. */
export function toCatgaError(error: unknown, messageId?: string): CatgaError {
  if (error instanceof CatgaError) {
    if (messageId !== undefined && error.messageId === undefined) error.messageId = messageId;
    return error;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new HandlerFailedError(message, { messageId, cause: error, details: { name } });
}

export function serializeError(error: unknown, messageId?: string): SerializedError {
  const e = toCatgaError(error, messageId);
  const out: SerializedError = { code: e.code, name: e.name, message: e.message, retryable: e.retryable };
  if (e.messageId !== undefined) out.messageId = e.messageId;
  if (e.details !== undefined) out.details = e.details;
  return out;
}

/** Rebuilds the registered class for the code (instance of the same class the handler threw). */
export function deserializeError(data: SerializedError): CatgaError {
  const cls = errorClassOf(data.code) ?? (CatgaError as ErrorClass);
  const error = Object.create(cls.prototype) as CatgaError;
  const fields: Record<string, unknown> = {
    name: data.name ?? cls.name,
    message: data.message,
    code: data.code,
    retryable: data.retryable,
    messageId: data.messageId,
    details: data.details,
  };
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: key !== 'message' && key !== 'name' });
  }
  if (cls.prototype instanceof CatgaError && data.details && typeof data.details === 'object') {
    // Subclasses expose details under their own field names too (e.g. ValidationFailedError.issues).
    if (Array.isArray(data.details)) Object.defineProperty(error, 'issues', { value: data.details, writable: true });
    else
      for (const [k, v] of Object.entries(data.details))
        if (!(k in error)) Object.defineProperty(error, k, { value: v, writable: true, enumerable: true });
  }
  Object.defineProperty(error, 'stack', {
    value: `${error.name}: ${data.message}\n    (rethrown from a serialized error)`,
    writable: true,
  });
  return error;
}
