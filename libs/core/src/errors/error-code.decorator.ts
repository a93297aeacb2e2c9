import type { CatgaError } from './catga.error.js';

export type ErrorClass = (abstract new (...args: never[]) => CatgaError) & {
  readonly code: string;
  readonly retryable: boolean;
  readonly prototype: CatgaError;
};
const byCode = new Map<string, ErrorClass>();

/** What an error code looks like (`PAYMENT_DECLINED`); a reply whose code does not is malformed. */
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Gives a `CatgaError` subclass its stable code and registers it, so an error thrown by a
 * handler in one process is rethrown as the same class in the caller's process.
 */
export function ErrorCode(code: string, options: { retryable?: boolean } = {}) {
  if (!ERROR_CODE_PATTERN.test(code)) throw new Error(`Error code "${code}" must be upper-case letters, digits and _ (at most 64)`);
  return (target: ErrorClass): void => {
    const existing = byCode.get(code);
    if (existing && existing !== target) {
      throw new Error(`Error code "${code}" is already used by ${existing.name}`);
    }
    Object.defineProperty(target, 'code', { value: code });
    if (options.retryable !== undefined) Object.defineProperty(target, 'retryable', { value: options.retryable });
    byCode.set(code, target);
  };
}

export function errorClassOf(code: string): ErrorClass | undefined {
  return byCode.get(code);
}
