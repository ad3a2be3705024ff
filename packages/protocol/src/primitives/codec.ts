import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** A tagged field the codec does not know, kept as raw bytes so it survives decode → encode. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

/**
 * Encoder/decoder for one Kafka message (request, response, header or data struct), all versions.
 *
 * decode fills every field: fields the version lacks get the spec default (or 0, 0n, '', false, [], the zero
 * uuid, null for nullable fields whose default is null). bytes/records fields are zero-copy views of the input.
 * Unknown tagged fields are kept in `unknownTaggedFields` and written back by encode.
 *
 * encode treats `undefined` as the default. A field the version lacks is dropped silently if the spec marks it
 * ignorable or its value is the default; otherwise encode throws UnsupportedFieldError (Kafka's rule).
 * Struct-typed fields are never checked (always dropped). Tagged fields are written only when they differ from
 * their default. Writing null to a field that is not nullable in that version throws ProtocolEncodeError.
 * Unknown tagged fields are silently dropped in non-flexible versions.
 */
export interface MessageCodec<T> {
  readonly name: string;
  /** The API key; -1 for headers and `data` structs. */
  readonly apiKey: number;
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible (compact + tagged fields) version, or null if no version is flexible. */
  readonly flexibleMinVersion: number | null;
  encode(w: Writer, v: T, version: number): void;
  decode(r: Reader, version: number): T;
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Shared zero-length Buffer used as the default for non-nullable bytes fields. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
