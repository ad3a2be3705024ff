// A failure that maps to one Kafka error code; handlers turn it into the response's errorCode/errorMessage.
import { ErrorCode } from '@brook/protocol';
import type { Logger } from './logger.js';

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns anything a per-topic/per-resource operation threw into a BrokerError, so one failure becomes
 * that entry's error code instead of failing the request. Unexpected errors are logged; file system
 * errors become KAFKA_STORAGE_ERROR, everything else UNKNOWN_SERVER_ERROR.
 */
export function toBrokerError(e: unknown, log: Logger, what: string): BrokerError {
  if (e instanceof BrokerError) return e;
  log.error({ err: e, what }, 'operation failed');
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    return new BrokerError(ErrorCode.KAFKA_STORAGE_ERROR, `Storage error: ${(e as Error).message}`);
  }
  return new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error)?.message ?? String(e));
}

/**
 * PRODUCER_FENCED for an API version that knows it (from `since` on); older versions of the API answer
 * INVALID_PRODUCER_EPOCH instead, as Kafka does. Any other code passes through.
 */
export function fencedForVersion(errorCode: number, apiVersion: number, since: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < since ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
