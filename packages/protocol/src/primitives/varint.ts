// Size and zig-zag helpers for Kafka's varints (protobuf-style base-128, little-endian groups).
// Reading and writing live in Reader/Writer so the hot paths stay inside one class.

/** Bytes needed for an unsigned 32-bit varint. */
export function sizeOfUnsignedVarint(value: number): number {
  let v = value >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Bytes needed for a zig-zag signed 32-bit varint. */
export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigZagEncode32(value));
}

/** Bytes needed for a zig-zag signed 64-bit varlong. */
export function sizeOfVarlong(value: bigint): number {
  let v = zigZagEncode64(value);
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

export function zigZagEncode32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function zigZagDecode32(value: number): number {
  return (value >>> 1) ^ -(value & 1);
}

const MASK64 = (1n << 64n) - 1n;

export function zigZagEncode64(value: bigint): bigint {
  return ((value << 1n) ^ (value >> 63n)) & MASK64;
}

export function zigZagDecode64(value: bigint): bigint {
  return (value >> 1n) ^ -(value & 1n);
}
