/** An error reply from Redis (`-ERR ...`, `-LOADING ...`, `-MOVED ...`); `code` is its first word. */
export class RespError extends Error {
  override readonly name = 'RespError';
  readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = message.split(' ', 1)[0] ?? '';
  }
}
