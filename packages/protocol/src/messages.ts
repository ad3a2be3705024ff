import type { MessageCodec } from './primitives/codec.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** Encodes one message body (no header, no size prefix) into a single Buffer. */
export function encodeToBuffer<T>(codec: MessageCodec<T>, value: T, version: number): Buffer {
  const w = new Writer();
  codec.encode(w, value, version);
  return w.toBuffer();
}

/**
 * Decodes one message body from `buf`. Trailing bytes after the message are ignored, as Kafka does
 * (newer clients may append data older brokers skip); use `new Reader(buf)` + `codec.decode` to inspect
 * `reader.remaining` yourself. Bytes/records fields in the result alias `buf`.
 */
export function decodeFromBuffer<T>(codec: MessageCodec<T>, buf: Buffer, version: number): T {
  return codec.decode(new Reader(buf), version);
}
