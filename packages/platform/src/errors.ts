/**
 * An error with a stable code and a retry decision. Only the queue adapter turns a non-retryable error
 * into BullMQ's UnrecoverableError; programmer errors are plain Errors and crash the process.
 */
export class PipelineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** When the failure said how long to wait (HTTP Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
