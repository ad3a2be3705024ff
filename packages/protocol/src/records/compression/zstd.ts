// Zstandard via zstd-napi's low-level binding. We drive decompression ourselves because the
// high-level helper trusts the frame's declared content size (a tiny frame could request a huge
// allocation) and silently returns partial output for a truncated stream.
import { createRequire } from 'node:module';
import type ZstdBinding from 'zstd-napi/binding.js';
import { CompressionError, tooLarge, wrapNativeError } from './errors.js';

const CODEC = 'zstd';
/** Kafka's default zstd level. */
export const ZSTD_DEFAULT_LEVEL = 3;

// The native addon loads on first use (not at every broker start).
let binding: typeof ZstdBinding | undefined;
const native = (): typeof ZstdBinding => (binding ??= createRequire(import.meta.url)('zstd-napi/binding.js'));

let cctx: InstanceType<typeof ZstdBinding.CCtx> | undefined;
let dctx: InstanceType<typeof ZstdBinding.DCtx> | undefined;

export function zstdCompress(buf: Buffer, level = ZSTD_DEFAULT_LEVEL): Buffer {
  cctx ??= new (native().CCtx)();
  const out = Buffer.allocUnsafe(native().compressBound(buf.length));
  const n = cctx.compress(out, buf, level);
  return out.subarray(0, n);
}

/** Sum of declared content sizes over all frames, or null if any frame omits it. */
function declaredSize(buf: Buffer): number | null {
  let total = 0;
  let frame = buf;
  while (frame.length > 0) {
    const size = native().getFrameContentSize(frame);
    if (size === null) return null;
    total += size;
    frame = frame.subarray(native().findFrameCompressedSize(frame));
  }
  return total;
}

export function zstdDecompress(buf: Buffer, maxOutputBytes: number): Buffer {
  try {
    if (buf.length < 4) throw new CompressionError(CODEC, 'truncated', 'input shorter than a frame header');
    let known: number | null = null;
    try {
      known = declaredSize(buf);
    } catch {
      known = null; // malformed/truncated frame: let the streaming decoder report the precise error
    }
    if (known !== null) {
      if (known > maxOutputBytes) throw tooLarge(CODEC, known, maxOutputBytes);
      dctx ??= new (native().DCtx)();
      const out = Buffer.allocUnsafe(known);
      const n = dctx.decompress(out, buf);
      if (n !== known) throw new CompressionError(CODEC, 'corrupt', `frame produced ${n} bytes, declared ${known}`);
      return out;
    }
    return streamDecompress(buf, maxOutputBytes);
  } catch (err) {
    throw wrapNativeError(CODEC, err);
  }
}

function streamDecompress(buf: Buffer, maxOutputBytes: number): Buffer {
  const ctx = new (native().DCtx)();
  const chunkSize = native().dStreamOutSize();
  const parts: Buffer[] = [];
  let total = 0;
  let input = buf;
  let ret = 1;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.max(chunkSize, Math.min(input.length * 4, 16 * 1024 * 1024)));
    const [r, produced, consumed] = ctx.decompressStream(chunk, input);
    ret = r;
    input = input.subarray(consumed);
    if (produced > 0) {
      total += produced;
      if (total > maxOutputBytes) throw tooLarge(CODEC, total, maxOutputBytes);
      parts.push(chunk.subarray(0, produced));
    }
    // ret === 0: frame complete and flushed. No progress at all means the input ended mid-frame.
    if (input.length === 0 && (ret === 0 || produced < chunk.length)) break;
    if (produced === 0 && consumed === 0) break;
  }
  if (ret !== 0 || input.length !== 0) throw new CompressionError(CODEC, 'truncated', 'frame ended early');
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
