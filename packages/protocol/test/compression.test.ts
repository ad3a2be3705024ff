import { randomBytes } from 'node:crypto';
import { compressFrameSync, compressSync as lz4Block } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import { describe, expect, test } from 'vitest';
import zstdBinding from 'zstd-napi/binding.js';
import {
  CompressionError,
  compress,
  decompress,
  isXerialFramed,
  snappyCompressXerial,
  XERIAL_MAGIC,
  xxhash32,
} from '../src/records/compression/index.js';
import { CompressionType } from '../src/records/record-batch.js';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

function sample(size: number): Buffer {
  // Half repetitive, half random, so every codec has something to do.
  const b = Buffer.alloc(size);
  const text = Buffer.from('the quick brown fox jumps over the lazy dog ');
  for (let i = 0; i < size / 2; i++) b[i] = text[i % text.length]!;
  randomBytes(size - Math.floor(size / 2)).copy(b, Math.floor(size / 2));
  return b;
}

describe('compression round trips', () => {
  for (const type of CODECS) {
    test(`codec ${type}`, () => {
      for (const size of [0, 1, 100, 65_535, 65_536, 200_000, 1_100_000]) {
        const input = sample(size);
        const c = compress(type, input);
        expect(decompress(type, c).equals(input)).toBe(true);
      }
    });
  }
  test('none is identity', () => {
    const b = Buffer.from('abc');
    expect(compress(CompressionType.None, b)).toBe(b);
    expect(decompress(CompressionType.None, b)).toBe(b);
  });
});

describe('snappy framing', () => {
  test('compress writes xerial framing like Java', () => {
    const c = compress(CompressionType.Snappy, sample(100_000));
    expect(isXerialFramed(c)).toBe(true);
    expect(c.subarray(0, 8).equals(XERIAL_MAGIC)).toBe(true);
    expect(c.readInt32BE(8)).toBe(1);
    expect(c.readInt32BE(12)).toBe(1);
  });
  test('hand-built xerial frames decode (several blocks, odd block size)', () => {
    const input = sample(50_000);
    const blocks: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])];
    for (let i = 0; i < input.length; i += 7_000) {
      const raw = snappyRaw(input.subarray(i, i + 7_000));
      const len = Buffer.alloc(4);
      len.writeInt32BE(raw.length);
      blocks.push(len, raw);
    }
    expect(decompress(CompressionType.Snappy, Buffer.concat(blocks)).equals(input)).toBe(true);
    expect(decompress(CompressionType.Snappy, snappyCompressXerial(input, 1000)).equals(input)).toBe(true);
  });
  test('raw snappy blocks (librdkafka style) decode', () => {
    const input = sample(10_000);
    expect(decompress(CompressionType.Snappy, snappyRaw(input)).equals(input)).toBe(true);
  });
});

describe('lz4 frame', () => {
  test('xxhash32 known vectors', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxhash32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });
  test('output is a standard frame with Java-compatible descriptor', () => {
    const c = compress(CompressionType.Lz4, sample(1000));
    expect(c.readUInt32LE(0)).toBe(0x184d2204);
    expect(c[4]! & 0x20).toBe(0x20); // independent blocks
    expect(c[5]).toBe(0x40); // 64 KiB blocks
  });
  test('legacy (magic v0) broken header checksum is accepted', () => {
    const input = sample(5000);
    const broken = compress(CompressionType.Lz4, input, { lz4BrokenHeaderChecksum: true });
    const good = compress(CompressionType.Lz4, input);
    expect(broken[6]).not.toBe(good[6]);
    const copy = Buffer.from(broken);
    expect(decompress(CompressionType.Lz4, broken).equals(input)).toBe(true);
    expect(broken.equals(copy)).toBe(true); // caller bytes untouched
  });
  test('frames with content checksum decode', () => {
    const input = sample(300_000);
    const c = compressFrameSync(input, { contentChecksum: true, blockChecksums: true });
    expect(decompress(CompressionType.Lz4, c).equals(input)).toBe(true);
  });
});

describe('lz4 hand-built frames', () => {
  function frame(flg: number, blocks: Buffer[], contentSize?: number): Buffer {
    const desc = [flg, 0x40];
    if (contentSize !== undefined) {
      const cs = Buffer.alloc(8);
      cs.writeBigUInt64LE(BigInt(contentSize));
      desc.push(...cs);
    }
    const head = Buffer.from([0x04, 0x22, 0x4d, 0x18, ...desc]);
    const hc = (xxhash32(head, 4) >>> 8) & 0xff;
    return Buffer.concat([head, Buffer.from([hc]), ...blocks, Buffer.alloc(4)]);
  }
  function compressedBlock(data: Buffer): Buffer {
    const raw = lz4Block(data).subarray(4); // strip lz4_flex's size prefix
    const word = Buffer.alloc(4);
    word.writeUInt32LE(raw.length);
    return Buffer.concat([word, raw]);
  }
  function storedBlock(data: Buffer): Buffer {
    const word = Buffer.alloc(4);
    word.writeUInt32LE((data.length | 0x80000000) >>> 0);
    return Buffer.concat([word, data]);
  }
  test('stored + compressed independent blocks, with and without content size', () => {
    const a = sample(65_536);
    const b = randomBytes(1000);
    const c = Buffer.alloc(30_000, 'z');
    const all = Buffer.concat([a, b, c]);
    const blocks = [compressedBlock(a), storedBlock(b), compressedBlock(c)];
    expect(decompress(CompressionType.Lz4, frame(0x60, blocks)).equals(all)).toBe(true);
    expect(decompress(CompressionType.Lz4, frame(0x68, blocks, all.length)).equals(all)).toBe(true);
    expect(() => decompress(CompressionType.Lz4, frame(0x68, blocks, all.length + 1))).toThrow(CompressionError);
    // Output limit is enforced block by block.
    expect(() => decompress(CompressionType.Lz4, frame(0x60, blocks), { maxOutputBytes: 70_000 })).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });
  test('a block that inflates beyond the declared block maximum is rejected', () => {
    const big = Buffer.alloc(100_000, 'q'); // > 64 KiB max declared by BD 0x40
    expect(() => decompress(CompressionType.Lz4, frame(0x60, [compressedBlock(big)]))).toThrow(CompressionError);
  });
});

describe('bit flips in valid compressed data never crash', () => {
  for (const type of CODECS) {
    test(`codec ${type}`, () => {
      const input = sample(70_000);
      const c = compress(type, input);
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(c);
        const pos = (i * 7919) % copy.length;
        copy[pos]! ^= 1 << (i % 8);
        try {
          decompress(type, copy);
        } catch (e) {
          expect(e).toBeInstanceOf(CompressionError);
        }
      }
    });
  }
});

describe('zstd', () => {
  test('frames without a declared content size (streaming producers) decode', () => {
    const input = sample(400_000);
    const cctx = new zstdBinding.CCtx();
    cctx.setParameter(zstdBinding.CParameter.contentSizeFlag, 0);
    const out = Buffer.alloc(zstdBinding.compressBound(input.length) + 1024);
    const [, produced] = cctx.compressStream2(out, input, zstdBinding.EndDirective.end);
    const frame = out.subarray(0, produced);
    expect(zstdBinding.getFrameContentSize(frame)).toBeNull();
    expect(decompress(CompressionType.Zstd, frame).equals(input)).toBe(true);
  });
  test('declared content size above the limit is rejected before allocating', () => {
    const c = compress(CompressionType.Zstd, Buffer.alloc(1_000_000));
    expect(() => decompress(CompressionType.Zstd, c, { maxOutputBytes: 1000 })).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });
});

describe('bad input raises CompressionError', () => {
  for (const type of CODECS) {
    test(`codec ${type}: truncated at many points and garbage`, () => {
      const input = sample(20_000);
      const c = compress(type, input);
      const cuts = new Set([0, 1, 3, 4, 7, 8, 11, 15, 16, 17, 20, 40, c.length >> 1, c.length - 5, c.length - 1]);
      for (const cut of cuts) {
        if (cut >= c.length) continue;
        let result: Buffer | undefined;
        try {
          result = decompress(type, c.subarray(0, cut));
        } catch (e) {
          expect(e).toBeInstanceOf(CompressionError);
          continue;
        }
        // Some truncations can still be a valid prefix (e.g. xerial at a block boundary) but must never equal the input.
        expect(result.equals(input)).toBe(false);
      }
      for (let i = 0; i < 20; i++) {
        const garbage = randomBytes(1 + i * 37);
        try {
          decompress(type, garbage);
        } catch (e) {
          expect(e).toBeInstanceOf(CompressionError);
        }
      }
    });
  }
  test('unknown codec', () => {
    expect(() => decompress(5, Buffer.alloc(1))).toThrow(expect.objectContaining({ reason: 'unsupported' }));
  });
  test('gzip output limit', () => {
    const c = compress(CompressionType.Gzip, Buffer.alloc(100_000));
    expect(() => decompress(CompressionType.Gzip, c, { maxOutputBytes: 10 })).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });
});
