import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** A tagged field the codec does not know, kept as raw bytes so it survives decode → encode. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

/** Encoder/decoder for one Kafka message (request, response, header or data struct), all versions. */
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
