// Zig-zag varints as used inside v2 records. Kept local (and allocation-free) because they sit on
// the per-record hot path; values are JS numbers, with a BigInt fallback for >2^53 varlongs.
import { InvalidRecordBatchError } from './record-batch.js';

const TWO_31 = 2 ** 31;

export function zigzag(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return ((n << 1) ^ (n >> 31)) >>> 0;
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Encoded size of an unsigned varint holding `u` (0 <= u < 2^53). */
export function sizeOfUnsignedVarint(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let size = 5;
  let v = Math.floor(u / 0x800000000);
  while (v > 0) {
    size++;
    v = Math.floor(v / 128);
  }
  return size;
}

export function sizeOfVarint(n: number): number {
  return sizeOfUnsignedVarint(zigzag(n));
}

export function writeUnsignedVarint(buf: Uint8Array, pos: number, u: number): number {
  if (u < TWO_31) {
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }
  while (u >= 0x80) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/** Writes a zig-zag varint/varlong (exact for |n| < 2^52); returns the new position. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  return writeUnsignedVarint(buf, pos, zigzag(n));
}

/** Zig-zag varlong for values outside the safe-integer range. */
export function zigzagBig(n: bigint): bigint {
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}

export function sizeOfVarlongBig(n: bigint): number {
  let u = zigzagBig(n);
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

export function writeVarlongBig(buf: Uint8Array, pos: number, n: bigint): number {
  let u = zigzagBig(n);
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

/**
 * Cursor-based reader over a records section. Throws InvalidRecordBatchError('records') on
 * malformed or out-of-range input rather than reading past `end`.
 */
export class VarintReader {
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  fail(what: string): never {
    throw new InvalidRecordBatchError('records', `malformed record: ${what} at byte ${this.pos}`);
  }

  readInt8(): number {
    if (this.pos >= this.end) this.fail('truncated int8');
    const b = this.buf[this.pos++]!;
    return (b << 24) >> 24;
  }

  /** Zig-zag varint limited to int32 range (5 bytes). */
  readVarint(): number {
    let result = 0;
    let shift = 0;
    const { buf, end } = this;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) {
        this.pos = pos;
        this.fail('truncated varint');
      }
      const b = buf[pos++]!;
      if (shift === 28) {
        if (b > 0x0f) {
          this.pos = pos;
          this.fail('varint too long');
        }
        result |= b << 28;
        break;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    this.pos = pos;
    return (result >>> 1) ^ -(result & 1);
  }

  /** Zig-zag varlong (up to 10 bytes): a number when it is a safe integer, else an exact bigint. */
  readVarlong(): number | bigint {
    const { buf, end } = this;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.fail('truncated varlong');
      }
      if (i === 10) {
        this.pos = pos;
        this.fail('varlong too long');
      }
      const b = buf[pos++]!;
      if (i >= 7) return this.readVarlongBig();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    this.pos = pos;
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  // Rare path: encodings longer than 7 bytes. Re-reads from the current position using BigInt.
  private readVarlongBig(): number | bigint {
    let pos = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail('truncated varlong');
      const b = this.buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        const v = BigInt.asUintN(64, result);
        const n = BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n));
        return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
      }
      shift += 7n;
    }
    return this.fail('varlong too long');
  }

  /** Length-prefixed bytes (varint length, -1 = null), zero-copy. */
  readBytes(): Buffer | null {
    const len = this.readVarint();
    if (len < 0) {
      if (len === -1) return null;
      this.fail(`negative length ${len}`);
    }
    if (len > this.end - this.pos) this.fail('bytes past end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Skips length-prefixed bytes; returns the length (-1 for null). */
  skipBytes(): number {
    const len = this.readVarint();
    if (len < -1) this.fail(`negative length ${len}`);
    if (len > this.end - this.pos) this.fail('bytes past end');
    if (len > 0) this.pos += len;
    return len;
  }
}
