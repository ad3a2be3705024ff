// CRC-32C (Castagnoli) for v2 record batches and CRC-32 (IEEE) for legacy message sets.
// Two CRC-32C backends exist so the benchmark can compare them (scripts/bench/protocol-bench.ts).
// Measured: native @node-rs/crc32 ~14 GB/s on 1 MiB and ~9.7 GB/s on 16 KiB vs ~1.2 GB/s for the
// pure-JS table; below ~150 bytes the JS version wins (no native call overhead: 11 vs 5 M ops/s at
// 49 B), so `crc32c` switches on length.
import { createRequire } from 'node:module';
import crc32Js from 'crc-32';
import crc32cJsModule from 'crc-32/crc32c.js';

// The native binding loads on first use (~9 ms and ~4 MB otherwise spent at every broker start).
let crcNative: typeof import('@node-rs/crc32') | undefined;
const native = (): typeof import('@node-rs/crc32') => (crcNative ??= createRequire(import.meta.url)('@node-rs/crc32'));

function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  // Avoid allocating a subarray in the common whole-buffer case.
  return start === 0 && end === buf.length ? buf : buf.subarray(start, end);
}

/** CRC-32C via the native `@node-rs/crc32` binding (SSE4.2 / hardware accelerated). Unsigned. */
export function crc32cNative(buf: Uint8Array, start = 0, end: number = buf.length): number {
  return native().crc32c(view(buf, start, end)) >>> 0;
}

/** CRC-32C via the pure-JS `crc-32/crc32c` table implementation. Unsigned. */
export function crc32cJs(buf: Uint8Array, start = 0, end: number = buf.length): number {
  return crc32cJsModule.buf(view(buf, start, end)) >>> 0;
}

/** Below this many bytes the pure-JS table beats the native call overhead. */
export const CRC32C_NATIVE_THRESHOLD = 128;

/** CRC-32C (Castagnoli) of `buf[start, end)`, unsigned 32-bit. */
export function crc32c(buf: Uint8Array, start = 0, end: number = buf.length): number {
  const v = view(buf, start, end);
  return (end - start < CRC32C_NATIVE_THRESHOLD ? crc32cJsModule.buf(v) : native().crc32c(v)) >>> 0;
}

/** CRC-32 (IEEE 802.3, as used by legacy v0/v1 messages) of `buf[start, end)`, unsigned 32-bit. */
export function crc32(buf: Uint8Array, start = 0, end: number = buf.length): number {
  return native().crc32(view(buf, start, end)) >>> 0;
}

/** Pure-JS CRC-32 (IEEE), kept for the benchmark and as a cross-check in tests. */
export function crc32IeeeJs(buf: Uint8Array, start = 0, end: number = buf.length): number {
  return crc32Js.buf(view(buf, start, end)) >>> 0;
}
