/** Why a decode failed; stable strings so callers can map them to Kafka error codes or log them. */
export type DecodeErrorReason =
  | 'truncated'
  | 'negative-length'
  | 'length-too-large'
  | 'varint-too-long'
  | 'null-not-allowed'
  | 'tagged-field-overrun'
  | 'unsupported-version'
  | 'invalid-value';

/** Thrown for any malformed input. Never a RangeError from Buffer: the reader checks bounds first. */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
  constructor(
    readonly reason: DecodeErrorReason,
    message: string,
    readonly offset = -1,
  ) {
    super(offset >= 0 ? `${message} (at offset ${offset})` : message);
  }
}

/** Thrown when a value cannot be represented on the wire (bad uuid, string too long, null in a non-nullable field...). */
export class ProtocolEncodeError extends Error {
  override readonly name: string = 'ProtocolEncodeError';
}

/**
 * Thrown when encoding a non-ignorable field with a non-default value in a version that has no such field
 * (Kafka's UnsupportedVersionException for the same situation).
 */
export class UnsupportedFieldError extends ProtocolEncodeError {
  override readonly name = 'UnsupportedFieldError';
  constructor(
    readonly messageName: string,
    readonly field: string,
    readonly version: number,
  ) {
    super(`${messageName}.${field} has a non-default value, but version ${version} has no such field`);
  }
}

/** Thrown by a codec asked to encode or decode a version outside its valid range. */
export class UnsupportedVersionError extends ProtocolEncodeError {
  override readonly name = 'UnsupportedVersionError';
  constructor(
    readonly messageName: string,
    readonly version: number,
  ) {
    super(`${messageName} does not support version ${version}`);
  }
}
