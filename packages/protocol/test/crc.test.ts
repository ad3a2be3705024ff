import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { crc32, crc32c, crc32cJs, crc32cNative, crc32IeeeJs } from '../src/crc.js';

describe('crc', () => {
  test('known CRC-32C vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cJs(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    // RFC 3720 B.4: 32 bytes of zeros / ones
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });

  test('known CRC-32 (IEEE) vector', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32IeeeJs(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  test('the length-switching crc32c agrees with both backends around the threshold', () => {
    const buf = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 31) & 0xff));
    for (let len = 0; len <= 300; len += 7) {
      expect(crc32c(buf, 3, 3 + len)).toBe(crc32cNative(buf, 3, 3 + len));
      expect(crc32c(buf, 3, 3 + len)).toBe(crc32cJs(buf, 3, 3 + len));
    }
  });

  test('start/end select a range', () => {
    const b = Buffer.from('xx123456789yy');
    expect(crc32c(b, 2, 11)).toBe(0xe3069283);
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
  });

  test('native and JS implementations agree on random data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const s = buf.length ? a % buf.length : 0;
        const e = s + (buf.length - s ? b % (buf.length - s + 1) : 0);
        expect(crc32cNative(buf, s, e)).toBe(crc32cJs(buf, s, e));
        expect(crc32(buf, s, e)).toBe(crc32IeeeJs(buf, s, e));
      }),
    );
  });
});
