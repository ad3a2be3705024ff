// Snappy as Kafka uses it. Java clients (snappy-java SnappyOutputStream) write the "xerial" framing:
//   magic \x82SNAPPY\x00 | int32 version (1) | int32 min-compatible version (1) | (int32 len, raw block)*
// librdkafka and others may send a single raw snappy block; decompress detects which.
import { createRequire } from 'node:module';

// The native addon loads on first use (~30 ms and ~6 MB otherwise spent at every broker start).
let snappyNative: typeof import('snappy') | undefined;
const native = (): typeof import('snappy') => (snappyNative ??= createRequire(import.meta.url)('snappy'));

import { CompressionError, tooLarge, wrapNativeError } from './errors.js';

const CODEC = 'snappy';
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default SnappyOutputStream block size. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

export function isXerialFramed(buf: Uint8Array): boolean {
  if (buf.length < XERIAL_MAGIC.length) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (buf[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

// copyOutputData: the binding's default external-buffer output is ~15x slower for 100s of KiB
// (measured in scripts/bench/protocol-bench.ts territory: 0.66 ms vs 0.03 ms for 216 KB).
const COPY = { copyOutputData: true };

export function snappyCompressRaw(buf: Buffer): Buffer {
  return native().compressSync(buf, COPY);
}

/** xerial-framed output, byte-compatible with what Java producers send. */
export function snappyCompressXerial(buf: Buffer, blockSize = XERIAL_BLOCK_SIZE): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.allocUnsafe(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  let total = XERIAL_HEADER_SIZE;
  for (let pos = 0; pos < buf.length; pos += blockSize) {
    const block = native().compressSync(buf.subarray(pos, Math.min(pos + blockSize, buf.length)), COPY);
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
    total += 4 + block.length;
  }
  return Buffer.concat(parts, total);
}

/** Reads the varint uncompressed-length preamble of a raw snappy block, or -1 if malformed. */
function rawUncompressedLength(buf: Uint8Array, start: number, end: number): number {
  let result = 0;
  let shift = 0;
  for (let i = start; i < end && shift <= 28; i++) {
    const b = buf[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
  return -1;
}

function uncompressBlock(block: Buffer, budget: number): Buffer {
  const declared = rawUncompressedLength(block, 0, block.length);
  if (declared < 0) throw new CompressionError(CODEC, 'corrupt', 'invalid raw block length preamble');
  if (declared > budget) throw tooLarge(CODEC, declared, budget);
  try {
    return native().uncompressSync(block, COPY) as Buffer;
  } catch (err) {
    throw wrapNativeError(CODEC, err);
  }
}

export function snappyDecompress(buf: Buffer, maxOutputBytes: number): Buffer {
  if (!isXerialFramed(buf)) return uncompressBlock(buf, maxOutputBytes);
  if (buf.length < XERIAL_HEADER_SIZE) throw new CompressionError(CODEC, 'truncated', 'xerial header truncated');
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < buf.length) {
    if (buf.length - pos < 4) throw new CompressionError(CODEC, 'truncated', 'xerial block length truncated');
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0) throw new CompressionError(CODEC, 'corrupt', `negative xerial block length ${len}`);
    if (len > buf.length - pos) throw new CompressionError(CODEC, 'truncated', 'xerial block truncated');
    const out = uncompressBlock(buf.subarray(pos, pos + len), maxOutputBytes - total);
    pos += len;
    parts.push(out);
    total += out.length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
