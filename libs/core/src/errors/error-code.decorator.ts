import type { CatgaError } from './catga.error.js';

export type ErrorClass = (abstract new (...args: never[]) => CatgaError) & {
  readonly code: string;
  readonly retryable: boolean;
  readonly prototype: CatgaError;
};
const byCode = new Map<string, ErrorClass>();

/**
 * Gives a `CatgaError` subclass its stable code and registers it, so an error thrown by a
 * handler in one process is rethrown as the same class in the caller's process.
 */
export function ErrorCode(code: string, options: { retryable?: boolean } = {}) {
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
