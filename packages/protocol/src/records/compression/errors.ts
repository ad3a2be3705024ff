export type CompressionErrorReason = 'corrupt' | 'truncated' | 'too-large' | 'unsupported';

/** Compressed input could not be decoded (or a codec is unknown). Never a process crash. */
export class CompressionError extends Error {
  override readonly name = 'CompressionError';
  constructor(
    readonly codec: string,
    readonly reason: CompressionErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${codec}: ${message}`, options);
  }
}

/** Upper bound on one decompressed payload unless the caller passes its own. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Reject output larger than this (checked before allocating when the format declares a size). */
  maxOutputBytes?: number;
}

export function tooLarge(codec: string, size: number, max: number): CompressionError {
  return new CompressionError(codec, 'too-large', `decompressed size ${size} exceeds limit ${max}`);
}

export function wrapNativeError(codec: string, err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const truncated = /unexpected end|truncat|too short|incomplete|not enough|end of (file|input)|src size/i.test(msg);
  return new CompressionError(codec, truncated ? 'truncated' : 'corrupt', msg, { cause: err });
}
