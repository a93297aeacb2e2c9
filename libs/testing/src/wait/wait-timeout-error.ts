/** Thrown when a condition polled with a deadline was not reached in time. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';

  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly lastReason: string,
    diagnostics = '',
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${description}; last observation: ${lastReason}` +
        (diagnostics ? `\n${diagnostics}` : ''),
    );
  }
}
