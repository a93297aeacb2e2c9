import { CatgaError } from './catga.error.js';
import { HandlerFailedError } from './catga-errors.js';
import { errorClassNamed, errorClassOf, registrationOf, type AnyErrorClass } from './error-code.decorator.js';
import { HttpException, httpExceptionStatus } from './http-exceptions.js';

/** The JSON shape of an error on the wire and in the idempotency store. */
export interface SerializedError {
  code: string;
  name: string;
  message: string;
  retryable: boolean;
  messageId?: string;
  details?: unknown;
  /** The class name of an error that is not a `CatgaError` (`CardDeclinedError`, `NotFoundException`). */
  type?: string;
  /** The HTTP status of an `HttpException`. */
  status?: number;
  /** The own enumerable fields of an error that is not a `CatgaError`, those that JSON can carry. */
  fields?: Record<string, unknown>;
}

const HANDLER_FAILED = 'HANDLER_FAILED';
const UNSAFE_FIELDS = new Set(['__proto__', 'constructor', 'prototype']);

/** The code an error is known by: its class's (`@ErrorCode`), `HTTP_<status>` for an `HttpException`, else `HANDLER_FAILED`. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof CatgaError) return error.code;
  const registered = error instanceof Error ? registrationOf(error.constructor) : undefined;
  if (registered) return registered.code;
  const status = httpExceptionStatus(error);
  return status === undefined ? HANDLER_FAILED : `HTTP_${status}`;
}

/** Whether sending the same message again may succeed: a `CatgaError`'s flag, a registered class's, else false. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CatgaError) return error.retryable;
  return error instanceof Error ? (registrationOf(error.constructor)?.retryable ?? false) : false;
}

/**
 * Whether an error is an outcome the handler meant (a `CatgaError` or a registered class that is
 * not retryable, an `HttpException` below 500), as opposed to a failure: outcomes do not open circuits.
 */
export function isDeclaredOutcome(error: unknown): boolean {
  if (isRetryable(error)) return false;
  if (error instanceof CatgaError) return true;
  if (error instanceof Error && registrationOf(error.constructor)) return true;
  const status = httpExceptionStatus(error);
  return status !== undefined && status < 500;
}

/**
 * Any thrown value as a `CatgaError`, for reading its code and flag: a `CatgaError` is itself,
 * anything else is wrapped in a `HandlerFailedError` (the original on `cause`). The pipeline
 * rethrows what the handler threw, never this wrapper.
 */
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
  if (error instanceof CatgaError) {
    if (messageId !== undefined && error.messageId === undefined) error.messageId = messageId;
    const out: SerializedError = { code: error.code, name: error.name, message: error.message, retryable: error.retryable };
    if (error.messageId !== undefined) out.messageId = error.messageId;
    if (error.details !== undefined) out.details = error.details;
    return out;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const out: SerializedError = {
    code: errorCodeOf(error),
    name,
    message: error instanceof Error ? error.message : String(error),
    retryable: isRetryable(error),
  };
  if (messageId !== undefined) out.messageId = messageId;
  const type = error instanceof Error ? error.constructor.name : undefined;
  out.details = type !== undefined && type !== name ? { name, type } : { name };
  if (type !== undefined) out.type = type;
  const status = httpExceptionStatus(error);
  if (status !== undefined) out.status = status;
  const fields = error instanceof Error ? jsonFields(error) : undefined;
  if (fields) out.fields = fields;
  return out;
}

/**
 * Rebuilds the error a handler threw, in this order: the class registered for its code; the class
 * registered under its class name (`registerErrors`, Nest's `HttpException` family); a plain
 * `HttpException` with the same status and response when it had one; else a `HandlerFailedError`
 * (or, for a code this process does not know, a `CatgaError`) keeping name, message, code and fields.
 */
export function deserializeError(data: SerializedError): Error {
  const byCode = data.code === HANDLER_FAILED ? undefined : errorClassOf(data.code);
  const cls = byCode ?? (data.type === undefined ? undefined : errorClassNamed(data.type));
  if (cls && !(cls.prototype instanceof CatgaError) && cls !== (CatgaError as AnyErrorClass)) return rebuildForeign(cls, data);
  if (!cls && data.status !== undefined) return rebuildForeign(HttpException, data);
  return rebuildCatgaError((cls ?? errorClassOf(data.code) ?? CatgaError) as AnyErrorClass, data);
}

function rebuildCatgaError(cls: AnyErrorClass, data: SerializedError): CatgaError {
  const error = Object.create(cls.prototype as object) as CatgaError;
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
  if (data.details && typeof data.details === 'object') {
    // Subclasses expose details under their own field names too (e.g. ValidationFailedError.issues).
    if (Array.isArray(data.details)) Object.defineProperty(error, 'issues', { value: data.details, writable: true });
    else
      for (const [k, v] of Object.entries(data.details))
        if (!(k in error)) Object.defineProperty(error, k, { value: v, writable: true, enumerable: true });
  }
  // A foreign error's own fields, where they do not shadow what every CatgaError has.
  for (const [k, v] of Object.entries(data.fields ?? {}))
    if (!UNSAFE_FIELDS.has(k) && !(k in error))
      Object.defineProperty(error, k, { value: v, writable: true, configurable: true, enumerable: true });
  setStack(error, data);
  return error;
}

function rebuildForeign(cls: AnyErrorClass, data: SerializedError): Error {
  const error = Object.create(cls.prototype as object) as Error;
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true, enumerable: false });
  for (const [k, v] of Object.entries(data.fields ?? {})) {
    // Data never shadows a method of the class (a peer's `getStatus: 1` would break the error).
    if (UNSAFE_FIELDS.has(k) || typeof (cls.prototype as Record<string, unknown>)[k] === 'function') continue;
    Object.defineProperty(error, k, { value: v, writable: true, configurable: true, enumerable: true });
  }
  // The status is the validated one, whatever a field said.
  if (error instanceof HttpException && data.status !== undefined)
    Object.defineProperty(error, 'status', { value: data.status, writable: true, configurable: true, enumerable: true });
  if (error.name !== data.name) Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  setStack(error, data);
  return error;
}

function setStack(error: Error, data: SerializedError): void {
  Object.defineProperty(error, 'stack', {
    value: `${error.name}: ${data.message}\n    (rethrown from a serialized error)`,
    writable: true,
    configurable: true,
  });
}

/** Own enumerable fields JSON can carry; a field it cannot (a BigInt, a cycle, a function) is left out. */
function jsonFields(error: Error): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(error)) {
    if (key === 'stack' || key === 'cause') continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      continue;
    }
    if (json === undefined) continue;
    (out ??= {})[key] = JSON.parse(json) as unknown;
  }
  return out;
}
