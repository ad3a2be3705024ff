// LZ4 as Kafka uses it: the standard LZ4 frame format (Java: KafkaLZ4BlockOutputStream, 64 KiB
// independent blocks, no checksums). Magic v0 messages were written with a broken header checksum
// (xxhash32 taken over the frame magic as well as the descriptor); we accept both on decompress and
// can produce the broken variant for v0 output.
import { createRequire } from 'node:module';

// The native addon loads on first use (~10 ms and ~5 MB otherwise spent at every broker start).
let lz4Native: typeof import('lz4-napi') | undefined;
const native = (): typeof import('lz4-napi') => (lz4Native ??= createRequire(import.meta.url)('lz4-napi'));

import { CompressionError, wrapNativeError } from './errors.js';

const CODEC = 'lz4';
const LZ4_FRAME_MAGIC = 0x184d2204;

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** XXH32 (only used on frame descriptors, so simplicity beats speed). */
export function xxhash32(buf: Uint8Array, start = 0, end: number = buf.length, seed = 0): number {
  const len = end - start;
  let p = start;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = end - 16;
    const u32 = (i: number) => buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24) | 0;
    while (p <= limit) {
      v1 = Math.imul(rotl((v1 + Math.imul(u32(p), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(u32(p + 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(u32(p + 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(u32(p + 12), P2)) | 0, 13), P1);
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + len) | 0;
  while (p + 4 <= end) {
    const w = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    h = Math.imul(rotl((h + Math.imul(w, P3)) | 0, 17), P4);
    p += 4;
  }
  while (p < end) {
    h = Math.imul(rotl((h + Math.imul(buf[p]!, P5)) | 0, 11), P1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Position of the header-checksum byte, or -1 if this is not a complete LZ4 frame header. */
function headerChecksumPos(buf: Buffer): number {
  if (buf.length < 7 || buf.readUInt32LE(0) !== LZ4_FRAME_MAGIC) return -1;
  const flg = buf[4]!;
  let pos = 6;
  if (flg & 0x08) pos += 8; // content size
  if (flg & 0x01) pos += 4; // dictionary id
  return pos < buf.length ? pos : -1;
}

const correctHc = (buf: Buffer, hcPos: number) => (xxhash32(buf, 4, hcPos) >>> 8) & 0xff;
const brokenHc = (buf: Buffer, hcPos: number) => (xxhash32(buf, 0, hcPos) >>> 8) & 0xff;

export function lz4Compress(buf: Buffer, brokenHeaderChecksum = false): Buffer {
  const out = native().compressFrameSync(buf);
  if (brokenHeaderChecksum) {
    const hcPos = headerChecksumPos(out);
    if (hcPos > 0) out[hcPos] = brokenHc(out, hcPos);
  }
  return out;
}

/**
 * Walks the block structure of consecutive frames so a missing end mark or a cut block is reported
 * as truncation (the native decoder happily returns what it has when the end mark is missing).
 */
function checkFrames(buf: Buffer): void {
  let start = 0;
  while (start < buf.length) {
    const frame = start === 0 ? buf : buf.subarray(start);
    const hcPos = headerChecksumPos(frame);
    if (hcPos < 0) throw new CompressionError(CODEC, start === 0 ? 'corrupt' : 'truncated', 'bad LZ4 frame header');
    const flg = frame[4]!;
    const blockChecksum = (flg & 0x10) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    let pos = hcPos + 1;
    for (;;) {
      if (frame.length - pos < 4) throw new CompressionError(CODEC, 'truncated', 'LZ4 block size truncated');
      const word = frame.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break; // end mark
      pos += (word & 0x7fffffff) + (blockChecksum ? 4 : 0);
      if (pos > frame.length) throw new CompressionError(CODEC, 'truncated', 'LZ4 block truncated');
    }
    if (contentChecksum) pos += 4;
    if (pos > frame.length) throw new CompressionError(CODEC, 'truncated', 'LZ4 content checksum truncated');
    start += pos;
  }
}

const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/**
 * Fast path for the frames Kafka clients write (one frame, independent blocks, no checksums):
 * decode block by block with the raw block decoder, which is several times faster than the
 * binding's frame decoder. Returns null when the frame needs the general decoder.
 */
function decodeIndependentBlocks(buf: Buffer, hcPos: number, maxOutputBytes: number): Buffer | null {
  const flg = buf[4]!;
  if ((flg & 0x20) === 0 || (flg & 0x10) !== 0 || (flg & 0x04) !== 0 || (flg & 0x01) !== 0) return null;
  const blockMax = BLOCK_MAX_SIZES[(buf[5]! >> 4) & 0x07] ?? 0;
  if (blockMax === 0) return null;
  const parts: Buffer[] = [];
  let total = 0;
  let pos = hcPos + 1;
  for (;;) {
    const word = buf.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    let block: Buffer;
    if (word & 0x80000000) {
      block = buf.subarray(pos, pos + size); // stored uncompressed
    } else {
      // The block decoder wants a 4-byte LE size prefix; the block maximum acts as a capacity.
      const prefixed = Buffer.allocUnsafe(4 + size);
      prefixed.writeUInt32LE(blockMax, 0);
      buf.copy(prefixed, 4, pos, pos + size);
      block = native().uncompressSync(prefixed);
    }
    if (block.length > blockMax) throw new CompressionError(CODEC, 'corrupt', 'block larger than the frame maximum');
    total += block.length;
    if (total > maxOutputBytes) throw new CompressionError(CODEC, 'too-large', `output over ${maxOutputBytes}`);
    parts.push(block);
    pos += size;
  }
  if (pos !== buf.length) return null; // concatenated frames: let the frame decoder handle them
  if ((flg & 0x08) !== 0 && buf.readBigUInt64LE(6) !== BigInt(total)) {
    throw new CompressionError(CODEC, 'corrupt', 'content size mismatch');
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

export function lz4Decompress(buf: Buffer, maxOutputBytes: number): Buffer {
  const hcPos = headerChecksumPos(buf);
  if (hcPos < 0) {
    throw new CompressionError(
      CODEC,
      buf.length >= 4 && buf.readUInt32LE(0) === LZ4_FRAME_MAGIC ? 'truncated' : 'corrupt',
      'not an LZ4 frame',
    );
  }
  checkFrames(buf);
  let input = buf;
  const hc = buf[hcPos]!;
  if (hc !== correctHc(buf, hcPos) && hc === brokenHc(buf, hcPos)) {
    // Legacy Kafka (magic v0) checksum: fix a copy rather than mutating the caller's bytes.
    input = Buffer.from(buf);
    input[hcPos] = correctHc(buf, hcPos);
  }
  let out: Buffer;
  try {
    out = decodeIndependentBlocks(input, hcPos, maxOutputBytes) ?? native().decompressFrameSync(input);
  } catch (err) {
    throw wrapNativeError(CODEC, err);
  }
  if (out.length > maxOutputBytes) throw new CompressionError(CODEC, 'too-large', `output ${out.length} over limit`);
  return out;
}
