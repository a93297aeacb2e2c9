export interface CatgaErrorOptions {
  messageId?: string;
  retryable?: boolean;
  details?: unknown;
  cause?: unknown;
}

/**
 * Base of every error Catga raises or carries across the wire. `code` is stable and
 * machine-readable; `retryable` says whether sending the same message again may succeed.
 */
export class CatgaError extends Error {
  /** The stable code of this class; subclasses override it (see `@ErrorCode`). */
  static readonly code: string = 'CATGA_ERROR';
  static readonly retryable: boolean = false;

  readonly code: string;
  readonly retryable: boolean;
  messageId: string | undefined;
  readonly details: unknown;

  constructor(message: string, options: CatgaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = new.target as typeof CatgaError;
    this.name = ctor.name;
    this.code = ctor.code;
    this.retryable = options.retryable ?? ctor.retryable;
    this.messageId = options.messageId;
    this.details = options.details;
  }
}
