import { gunzipSync, gzipSync } from 'node:zlib';
import { CompressionType } from '../record-batch.js';
import {
  CompressionError,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressOptions,
  tooLarge,
  wrapNativeError,
} from './errors.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompressXerial, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

export {
  CompressionError,
  type CompressionErrorReason,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressOptions,
} from './errors.js';
export { lz4Compress, lz4Decompress, xxhash32 } from './lz4.js';
export { isXerialFramed, snappyCompressRaw, snappyCompressXerial, snappyDecompress, XERIAL_MAGIC } from './snappy.js';
export { ZSTD_DEFAULT_LEVEL, zstdCompress, zstdDecompress } from './zstd.js';

export interface CompressOptions {
  /** LZ4 only: write the pre-0.10 broken header checksum expected by magic v0 readers. */
  lz4BrokenHeaderChecksum?: boolean;
  /** gzip / zstd level; codec default when omitted. */
  level?: number;
}

export function compressionName(type: number): string {
  switch (type) {
    case CompressionType.None:
      return 'none';
    case CompressionType.Gzip:
      return 'gzip';
    case CompressionType.Snappy:
      return 'snappy';
    case CompressionType.Lz4:
      return 'lz4';
    case CompressionType.Zstd:
      return 'zstd';
    default:
      return `unknown(${type})`;
  }
}

/** Compresses `buf` as Kafka producers do for `type` (snappy: xerial framing, like Java). */
export function compress(type: number, buf: Buffer, options: CompressOptions = {}): Buffer {
  switch (type) {
    case CompressionType.None:
      return buf;
    case CompressionType.Gzip:
      return gzipSync(buf, options.level === undefined ? {} : { level: options.level });
    case CompressionType.Snappy:
      return snappyCompressXerial(buf);
    case CompressionType.Lz4:
      return lz4Compress(buf, options.lz4BrokenHeaderChecksum ?? false);
    case CompressionType.Zstd:
      return zstdCompress(buf, options.level);
    default:
      throw new CompressionError(compressionName(type), 'unsupported', 'unknown compression codec');
  }
}

/** Decompresses `buf`; malformed, truncated or oversized input throws CompressionError. */
export function decompress(type: number, buf: Buffer, options: DecompressOptions = {}): Buffer {
  const max = options.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  switch (type) {
    case CompressionType.None:
      return buf;
    case CompressionType.Gzip:
      try {
        return gunzipSync(buf, { maxOutputLength: max });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', max + 1, max);
        throw wrapNativeError('gzip', err);
      }
    case CompressionType.Snappy:
      return snappyDecompress(buf, max);
    case CompressionType.Lz4:
      return lz4Decompress(buf, max);
    case CompressionType.Zstd:
      return zstdDecompress(buf, max);
    default:
      throw new CompressionError(compressionName(type), 'unsupported', 'unknown compression codec');
  }
}
