import type { TaggedField } from './codec.js';
import { ProtocolEncodeError } from './errors.js';

/** Buffers at least this large are appended by reference instead of being copied. */
export const BY_REFERENCE_THRESHOLD = 512;
const INITIAL_CHUNK = 1024;
const MAX_CHUNK = 1 << 20;

/** A reserved int32 slot, patched later (frame lengths, size prefixes). */
export interface Int32Slot {
  readonly buf: Buffer;
  readonly offset: number;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Big-endian writer over a list of chunks. It never copies what it already wrote (no doubling copy):
 * when a chunk fills, a new one (twice as big, up to 1 MiB) is started. Large Buffers are appended
 * by reference, so `toBuffers()` can feed `socket.writev` without copying record data. The caller must not
 * mutate a Buffer handed to the writer until the output has been sent.
 */
export class Writer {
  private readonly done: Buffer[] = [];
  private doneBytes = 0;
  private buf: Buffer;
  /** Start of the not-yet-flushed segment in `buf`. */
  private start = 0;
  private pos = 0;
  private nextChunk: number;

  constructor(initialSize = INITIAL_CHUNK) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.nextChunk = Math.min(initialSize * 2, MAX_CHUNK);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.doneBytes + this.pos - this.start;
  }

  private flushSegment(): void {
    if (this.pos > this.start) {
      this.done.push(this.buf.subarray(this.start, this.pos));
      this.doneBytes += this.pos - this.start;
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.flushSegment();
    const size = Math.max(n, this.nextChunk);
    this.nextChunk = Math.min(this.nextChunk * 2, MAX_CHUNK);
    this.buf = Buffer.allocUnsafe(size);
    this.start = 0;
    this.pos = 0;
  }

  writeInt8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  writeInt16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  writeInt64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** Accepts the canonical 36-character form (either case). */
  writeUuid(v: string): this {
    if (v.length !== 36 || v[8] !== '-' || v[13] !== '-' || v[18] !== '-' || v[23] !== '-') {
      throw new ProtocolEncodeError(`invalid uuid ${JSON.stringify(v)}`);
    }
    this.ensure(16);
    let p = this.pos;
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++;
      const hi = hexValue(v.charCodeAt(i));
      const lo = hexValue(v.charCodeAt(i + 1));
      if (hi < 0 || lo < 0) throw new ProtocolEncodeError(`invalid uuid ${JSON.stringify(v)}`);
      this.buf[p++] = (hi << 4) | lo;
    }
    this.pos = p;
    return this;
  }

  writeUnsignedVarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
    return this;
  }

  /** Zig-zag signed 32-bit varint. */
  writeVarint(value: number): this {
    return this.writeUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  writeUnsignedVarlong(value: bigint): this {
    this.ensure(10);
    let v = BigInt.asUintN(64, value);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80n) {
      b[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[p++] = Number(v);
    this.pos = p;
    return this;
  }

  /** Zig-zag signed 64-bit varlong. */
  writeVarlong(value: bigint): this {
    return this.writeUnsignedVarlong((value << 1n) ^ (value >> 63n));
  }

  private utf8Length(s: string): number {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolEncodeError(`string of ${n} bytes is longer than 32767`);
    return n;
  }

  private writeUtf8(s: string, n: number): void {
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  writeString(s: string): this {
    const n = this.utf8Length(s);
    this.writeInt16(n);
    this.writeUtf8(s, n);
    return this;
  }

  writeNullableString(s: string | null): this {
    if (s === null) return this.writeInt16(-1);
    return this.writeString(s);
  }

  writeCompactString(s: string): this {
    const n = this.utf8Length(s);
    this.writeUnsignedVarint(n + 1);
    this.writeUtf8(s, n);
    return this;
  }

  writeCompactNullableString(s: string | null): this {
    if (s === null) return this.writeUnsignedVarint(0);
    return this.writeCompactString(s);
  }

  /** Appends raw bytes: copied when small, by reference when ≥ BY_REFERENCE_THRESHOLD. */
  writeRaw(b: Buffer): this {
    const n = b.length;
    if (n >= BY_REFERENCE_THRESHOLD) {
      this.flushSegment();
      this.done.push(b);
      this.doneBytes += n;
      return this;
    }
    this.ensure(n);
    b.copy(this.buf, this.pos);
    this.pos += n;
    return this;
  }

  writeBytes(b: Buffer): this {
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeNullableBytes(b: Buffer | null): this {
    if (b === null) return this.writeInt32(-1);
    return this.writeBytes(b);
  }

  writeCompactBytes(b: Buffer): this {
    this.writeUnsignedVarint(b.length + 1);
    return this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Buffer | null): this {
    if (b === null) return this.writeUnsignedVarint(0);
    return this.writeCompactBytes(b);
  }

  /** Classic array length (int32); pass -1 for null. */
  writeArrayLength(n: number): this {
    return this.writeInt32(n);
  }

  /** Compact array length (uvarint N+1); pass -1 for null. */
  writeCompactArrayLength(n: number): this {
    return this.writeUnsignedVarint(n + 1);
  }

  /** Writes a complete tagged-field section holding only `fields` (tag order is the caller's). */
  writeUnknownTaggedFields(fields: readonly TaggedField[] | undefined): this {
    if (fields === undefined) return this.writeUnsignedVarint(0);
    this.writeUnsignedVarint(fields.length);
    for (const f of fields) this.writeRawTaggedField(f);
    return this;
  }

  writeRawTaggedField(f: TaggedField): this {
    this.writeUnsignedVarint(f.tag);
    this.writeUnsignedVarint(f.data.length);
    return this.writeRaw(f.data);
  }

  /** Appends everything another writer produced (big chunks stay by reference). */
  writeWriter(other: Writer): this {
    for (const b of other.toBuffers()) this.writeRaw(b);
    return this;
  }

  /** Reserves 4 bytes to fill in later with patchInt32 (e.g. a length prefix). */
  reserveInt32(): Int32Slot {
    this.ensure(4);
    const slot = { buf: this.buf, offset: this.pos };
    this.pos += 4;
    return slot;
  }

  patchInt32(slot: Int32Slot, value: number): this {
    slot.buf.writeInt32BE(value, slot.offset);
    return this;
  }

  /** The output as a list of Buffers (no copy). Large appended Buffers appear as the same objects. */
  toBuffers(): Buffer[] {
    if (this.pos > this.start) return [...this.done, this.buf.subarray(this.start, this.pos)];
    return this.done.slice();
  }

  /** The output as one Buffer (one concatenation; no copy when it is already a single chunk). */
  toBuffer(): Buffer {
    const parts = this.toBuffers();
    if (parts.length === 1) return parts[0]!;
    return Buffer.concat(parts, this.length);
  }
}
