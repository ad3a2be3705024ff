// Client-side errors. Every error the CLI can show has a one-line message that says what to do.
import { errorName } from '@brook/protocol';

/** The broker answered with a Kafka error code. */
export class KafkaError extends Error {
  override readonly name = 'KafkaError';
  readonly errorName: string;
  constructor(
    readonly code: number,
    readonly context: string,
    detail?: string | null,
  ) {
    super(`${context}: ${errorName(code)}${detail ? ` (${detail})` : ''}`);
    this.errorName = errorName(code);
  }
}

/** The broker could not be reached, or the connection dropped. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly address: string,
    /** errno code (ECONNREFUSED, ETIMEDOUT, ...) or 'closed'. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request got no answer in time. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** Throws a KafkaError for a non-zero code. */
export function check(code: number | undefined, context: string, detail?: string | null): void {
  if (code !== undefined && code !== 0) throw new KafkaError(code, context, detail);
}
