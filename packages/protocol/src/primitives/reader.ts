import type { TaggedField } from './codec.js';
import { ProtocolDecodeError } from './errors.js';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/**
 * Bounds-checked big-endian reader over a Buffer. Every read checks the remaining bytes first and throws
 * ProtocolDecodeError, so malformed input can neither hang nor make us allocate from an untrusted length.
 * bytes/records reads are zero-copy `subarray`s of the input: they alias it.
 */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (this.end - this.offset < n) {
      throw new ProtocolDecodeError('truncated', `needed ${n} bytes, ${this.end - this.offset} left`, this.offset);
    }
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  readUInt8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  readInt16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readUInt16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Kafka reads any non-zero byte as true. */
  readBool(): boolean {
    this.need(1);
    return this.buf[this.offset++] !== 0;
  }

  /** 16 bytes → lowercase canonical `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  readUuid(): string {
    this.need(16);
    const b = this.buf;
    const o = this.offset;
    this.offset += 16;
    return (
      HEX[b[o]!]! +
      HEX[b[o + 1]!]! +
      HEX[b[o + 2]!]! +
      HEX[b[o + 3]!]! +
      '-' +
      HEX[b[o + 4]!]! +
      HEX[b[o + 5]!]! +
      '-' +
      HEX[b[o + 6]!]! +
      HEX[b[o + 7]!]! +
      '-' +
      HEX[b[o + 8]!]! +
      HEX[b[o + 9]!]! +
      '-' +
      HEX[b[o + 10]!]! +
      HEX[b[o + 11]!]! +
      HEX[b[o + 12]!]! +
      HEX[b[o + 13]!]! +
      HEX[b[o + 14]!]! +
      HEX[b[o + 15]!]!
    );
  }

  /** Unsigned 32-bit varint, at most 5 bytes. */
  readUnsignedVarint(): number {
    const b = this.buf;
    let o = this.offset;
    const end = this.end;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (o >= end) throw new ProtocolDecodeError('truncated', 'truncated varint', o);
      const byte = b[o++]!;
      // Multiplication instead of << keeps bit 31 from turning the result negative.
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        this.offset = o;
        return value >>> 0;
      }
    }
    throw new ProtocolDecodeError('varint-too-long', 'varint longer than 5 bytes', this.offset);
  }

  /** Zig-zag signed 32-bit varint. */
  readVarint(): number {
    const v = this.readUnsignedVarint();
    return (v >>> 1) ^ -(v & 1);
  }

  /** Unsigned 64-bit varlong, at most 10 bytes. */
  readUnsignedVarlong(): bigint {
    const b = this.buf;
    let o = this.offset;
    const end = this.end;
    // Fast path: the first 4 groups (28 bits) fit a small integer.
    let low = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (o >= end) throw new ProtocolDecodeError('truncated', 'truncated varlong', o);
      const byte = b[o++]!;
      low |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        this.offset = o;
        return BigInt(low);
      }
    }
    let value = BigInt(low);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      if (o >= end) throw new ProtocolDecodeError('truncated', 'truncated varlong', o);
      const byte = b[o++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        this.offset = o;
        return value & 0xffffffffffffffffn;
      }
    }
    throw new ProtocolDecodeError('varint-too-long', 'varlong longer than 10 bytes', this.offset);
  }

  /** Zig-zag signed 64-bit varlong. */
  readVarlong(): bigint {
    const v = this.readUnsignedVarlong();
    return (v >> 1n) ^ -(v & 1n);
  }

  /** Checks a decoded length against the bytes left before anything is allocated. */
  private checkLength(len: number, start: number): void {
    if (len > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'length-too-large',
        `length ${len} exceeds the ${this.end - this.offset} bytes left`,
        start,
      );
    }
  }

  private utf8(len: number, start: number): string {
    this.checkLength(len, start);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  /** int16 length + UTF-8; null (-1) is an error here. */
  readString(): string {
    const start = this.offset;
    const len = this.readInt16();
    if (len < 0) {
      throw new ProtocolDecodeError(len === -1 ? 'null-not-allowed' : 'negative-length', `string length ${len}`, start);
    }
    return this.utf8(len, start);
  }

  readNullableString(): string | null {
    const start = this.offset;
    const len = this.readInt16();
    if (len === -1) return null;
    if (len < 0) throw new ProtocolDecodeError('negative-length', `string length ${len}`, start);
    return this.utf8(len, start);
  }

  readCompactString(): string {
    const start = this.offset;
    const n = this.readUnsignedVarint();
    if (n === 0)
      throw new ProtocolDecodeError('null-not-allowed', 'null compact string in a non-nullable field', start);
    if (n - 1 > 0x7fff) throw new ProtocolDecodeError('length-too-large', `string length ${n - 1} > 32767`, start);
    return this.utf8(n - 1, start);
  }

  readCompactNullableString(): string | null {
    const start = this.offset;
    const n = this.readUnsignedVarint();
    if (n === 0) return null;
    if (n - 1 > 0x7fff) throw new ProtocolDecodeError('length-too-large', `string length ${n - 1} > 32767`, start);
    return this.utf8(n - 1, start);
  }

  /** Zero-copy view of the next `len` bytes. */
  readRawBytes(len: number): Buffer {
    this.checkLength(len, this.offset);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  /** int32 length + bytes (zero-copy); null (-1) is an error here. */
  readBytes(): Buffer {
    const start = this.offset;
    const len = this.readInt32();
    if (len < 0) {
      throw new ProtocolDecodeError(len === -1 ? 'null-not-allowed' : 'negative-length', `bytes length ${len}`, start);
    }
    this.checkLength(len, start);
    return this.readRawBytes(len);
  }

  readNullableBytes(): Buffer | null {
    const start = this.offset;
    const len = this.readInt32();
    if (len === -1) return null;
    if (len < 0) throw new ProtocolDecodeError('negative-length', `bytes length ${len}`, start);
    this.checkLength(len, start);
    return this.readRawBytes(len);
  }

  readCompactBytes(): Buffer {
    const start = this.offset;
    const n = this.readUnsignedVarint();
    if (n === 0) throw new ProtocolDecodeError('null-not-allowed', 'null compact bytes in a non-nullable field', start);
    this.checkLength(n - 1, start);
    return this.readRawBytes(n - 1);
  }

  readCompactNullableBytes(): Buffer | null {
    const start = this.offset;
    const n = this.readUnsignedVarint();
    if (n === 0) return null;
    this.checkLength(n - 1, start);
    return this.readRawBytes(n - 1);
  }

  /**
   * Classic int32 array length: -1 means null, other negatives are errors. A count larger than the bytes
   * left is rejected (as Kafka does), so callers can loop without trusting the count.
   */
  readArrayLength(): number {
    const start = this.offset;
    const n = this.readInt32();
    if (n === -1) return -1;
    if (n < 0) throw new ProtocolDecodeError('negative-length', `array length ${n}`, start);
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'length-too-large',
        `array of ${n} elements but ${this.end - this.offset} bytes left`,
        start,
      );
    }
    return n;
  }

  /** Compact array length (uvarint N+1): returns -1 for null. */
  readCompactArrayLength(): number {
    const start = this.offset;
    const n = this.readUnsignedVarint() - 1;
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'length-too-large',
        `array of ${n} elements but ${this.end - this.offset} bytes left`,
        start,
      );
    }
    return n;
  }

  /** Reads a whole tagged-field section as unknown fields; undefined when it is empty. */
  readUnknownTaggedFields(): TaggedField[] | undefined {
    const start = this.offset;
    const count = this.readUnsignedVarint();
    if (count === 0) return undefined;
    if (count > this.end - this.offset) {
      throw new ProtocolDecodeError(
        'length-too-large',
        `${count} tagged fields but ${this.end - this.offset} bytes left`,
        start,
      );
    }
    const out: TaggedField[] = [];
    for (let i = 0; i < count; i++) {
      const tag = this.readUnsignedVarint();
      const size = this.readUnsignedVarint();
      out.push({ tag, data: this.readRawBytes(size) });
    }
    return out;
  }

  /** Checks a tagged field's size against the bytes left; returns the offset where the field ends. */
  taggedFieldEnd(size: number): number {
    this.checkLength(size, this.offset);
    return this.offset + size;
  }

  /** After reading a known tagged field: skip any bytes it did not use, fail if it read past its size. */
  finishTaggedField(end: number): void {
    if (this.offset > end) {
      throw new ProtocolDecodeError('tagged-field-overrun', 'tagged field read past its declared size', end);
    }
    this.offset = end;
  }
}
