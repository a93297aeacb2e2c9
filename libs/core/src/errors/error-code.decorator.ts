/** Any error class: a `CatgaError` subclass or the user's own `class X extends Error`. */
export type AnyErrorClass = abstract new (...args: never[]) => Error;

/** What a registered error class is on the wire. */
export interface ErrorRegistration {
  /** The stable code the error travels under. */
  readonly code: string;
  /** Whether sending the same message again may succeed. */
  readonly retryable: boolean;
  /** The HTTP status `CatgaExceptionFilter` answers with, when the class says. */
  readonly httpStatus?: number;
}

export interface ErrorCodeOptions {
  /** Sending the same message again may succeed: the retry behavior retries it, idempotency does not store it. Default false. */
  retryable?: boolean;
  /** The HTTP status `CatgaExceptionFilter` answers with for this error (100–599). */
  httpStatus?: number;
}

/** What an error code looks like (`PAYMENT_DECLINED`); a reply whose code does not is malformed. */
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

const byCode = new Map<string, AnyErrorClass>();
const byClassName = new Map<string, AnyErrorClass>();
const registrations = new WeakMap<AnyErrorClass, ErrorRegistration>();

/**
 * Gives an error class its stable code and registers it, so an error thrown by a handler in
 * one process is rethrown as the same class, with its fields, in the caller's process. Works on
 * `CatgaError` subclasses and on any `class … extends Error`.
 */
export function ErrorCode(code: string, options: ErrorCodeOptions = {}) {
  if (!ERROR_CODE_PATTERN.test(code)) throw new Error(`Error code "${code}" must be upper-case letters, digits and _ (at most 64)`);
  const { httpStatus } = options;
  if (httpStatus !== undefined && !(Number.isInteger(httpStatus) && httpStatus >= 100 && httpStatus <= 599)) {
    throw new Error(`httpStatus of error code "${code}" must be an integer from 100 to 599, not ${String(httpStatus)}`);
  }
  return (target: AnyErrorClass): void => {
    const existing = byCode.get(code);
    if (existing && existing !== target) {
      throw new Error(`Error code "${code}" is already used by ${existing.name}`);
    }
    // A CatgaError reads its code and flag from its class (`new.target.code`), inherited by subclasses.
    Object.defineProperty(target, 'code', { value: code });
    if (options.retryable !== undefined) Object.defineProperty(target, 'retryable', { value: options.retryable });
    const inherited = registrationOf(target);
    registrations.set(target, {
      code,
      retryable: options.retryable ?? (target as { retryable?: unknown }).retryable === true,
      httpStatus: httpStatus ?? inherited?.httpStatus,
    });
    byCode.set(code, target);
    byClassName.set(target.name, target);
  };
}

/**
 * Registers error classes that cannot carry `@ErrorCode` (a library's), by class name: thrown by
 * a handler in one process, they are rethrown as the same class, with their own fields, in any
 * process that registered them too. Two different classes of one name cannot both be registered.
 */
export function registerErrors(...classes: AnyErrorClass[]): void {
  for (const cls of classes) {
    const existing = byClassName.get(cls.name);
    if (existing && existing !== cls) throw new Error(`An error class named "${cls.name}" is already registered`);
    byClassName.set(cls.name, cls);
  }
}

/** The class registered for a code (`@ErrorCode`). */
export function errorClassOf(code: string): AnyErrorClass | undefined {
  return byCode.get(code);
}

/** The class registered under a class name (`@ErrorCode` or `registerErrors`). */
export function errorClassNamed(name: string): AnyErrorClass | undefined {
  return byClassName.get(name);
}

/** The registration of a class or of its nearest registered ancestor. */
export function registrationOf(cls: unknown): ErrorRegistration | undefined {
  for (let c = cls; typeof c === 'function' && c !== Error && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const found = registrations.get(c as AnyErrorClass);
    if (found) return found;
  }
  return undefined;
}
