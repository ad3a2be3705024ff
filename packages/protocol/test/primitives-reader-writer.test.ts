import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError, ProtocolEncodeError } from '../src/primitives/errors.js';
import { Reader } from '../src/primitives/reader.js';
import { sizeOfUnsignedVarint, sizeOfVarint, sizeOfVarlong } from '../src/primitives/varint.js';
import { BY_REFERENCE_THRESHOLD, Writer } from '../src/primitives/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeError(fn: () => unknown): ProtocolDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolDecodeError);
    return e as ProtocolDecodeError;
  }
  throw new Error('expected a ProtocolDecodeError');
}

describe('fixed-width types round-trip', () => {
  const cases: [string, fc.Arbitrary<unknown>, (w: Writer, v: never) => void, (r: Reader) => unknown, number][] = [
    ['int8', fc.integer({ min: -128, max: 127 }), (w, v) => w.writeInt8(v), (r) => r.readInt8(), 1],
    ['int16', fc.integer({ min: -32768, max: 32767 }), (w, v) => w.writeInt16(v), (r) => r.readInt16(), 2],
    ['uint16', fc.integer({ min: 0, max: 65535 }), (w, v) => w.writeUInt16(v), (r) => r.readUInt16(), 2],
    ['int32', fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (w, v) => w.writeInt32(v), (r) => r.readInt32(), 4],
    ['uint32', fc.integer({ min: 0, max: 2 ** 32 - 1 }), (w, v) => w.writeUInt32(v), (r) => r.readUInt32(), 4],
    [
      'int64',
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      (w, v) => w.writeInt64(v),
      (r) => r.readInt64(),
      8,
    ],
    ['float64', fc.double(), (w, v) => w.writeFloat64(v), (r) => r.readFloat64(), 8],
    ['bool', fc.boolean(), (w, v) => w.writeBool(v), (r) => r.readBool(), 1],
  ];
  for (const [name, arb, write, read, size] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (v) => {
          const w = new Writer(8);
          write(w, v as never);
          const b = w.toBuffer();
          expect(b.length).toBe(size);
          const r = new Reader(b);
          expect(read(r)).toEqual(v);
          expect(r.remaining).toBe(0);
          // Every strict prefix is truncated input.
          for (let i = 0; i < size; i++)
            expect(decodeError(() => read(new Reader(b.subarray(0, i)))).reason).toBe('truncated');
        }),
        { numRuns: 200 },
      );
    });
  }

  it('uuid: canonical lowercase out, either case in', () => {
    const w = new Writer();
    w.writeUuid('0123456789ABCDEF0123456789abcdef'.replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5'));
    const b = w.toBuffer();
    expect(b.toString('hex')).toBe('0123456789abcdef0123456789abcdef');
    expect(new Reader(b).readUuid()).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect(new Reader(Buffer.alloc(16)).readUuid()).toBe('00000000-0000-0000-0000-000000000000');
    expect(() => new Writer().writeUuid('not-a-uuid')).toThrow(ProtocolEncodeError);
    expect(() => new Writer().writeUuid('0123456789abcdef0123456789abcdef0123')).toThrow(ProtocolEncodeError);
    expect(() => new Writer().writeUuid('g1234567-89ab-cdef-0123-456789abcdef')).toThrow(ProtocolEncodeError);
    expect(decodeError(() => new Reader(Buffer.alloc(15)).readUuid()).reason).toBe('truncated');
  });
});

describe('varints', () => {
  it('unsigned varint: round-trip and size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const b = new Writer().writeUnsignedVarint(v).toBuffer();
        expect(b.length).toBe(sizeOfUnsignedVarint(v));
        const r = new Reader(b);
        expect(r.readUnsignedVarint()).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
    expect(new Writer().writeUnsignedVarint(300).toBuffer().toString('hex')).toBe('ac02');
    expect(
      new Writer()
        .writeUnsignedVarint(2 ** 32 - 1)
        .toBuffer()
        .toString('hex'),
    ).toBe('ffffffff0f');
  });

  it('signed zig-zag varint', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const b = new Writer().writeVarint(v).toBuffer();
        expect(b.length).toBe(sizeOfVarint(v));
        expect(new Reader(b).readVarint()).toBe(v);
      }),
    );
    expect(new Writer().writeVarint(-1).toBuffer().toString('hex')).toBe('01');
    expect(new Writer().writeVarint(1).toBuffer().toString('hex')).toBe('02');
  });

  it('signed zig-zag varlong', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const b = new Writer().writeVarlong(v).toBuffer();
        expect(b.length).toBe(sizeOfVarlong(v));
        expect(new Reader(b).readVarlong()).toBe(v);
      }),
    );
    expect(new Writer().writeVarlong(-(2n ** 63n)).toBuffer().length).toBe(10);
  });

  it('rejects a 6-byte varint and an 11-byte varlong quickly', () => {
    expect(decodeError(() => new Reader(hex('ffffffffff01')).readUnsignedVarint()).reason).toBe('varint-too-long');
    expect(decodeError(() => new Reader(hex('8080808080808080808001')).readVarlong()).reason).toBe('varint-too-long');
    // An endless run of continuation bytes must not hang.
    expect(decodeError(() => new Reader(Buffer.alloc(1_000_000, 0xff)).readUnsignedVarint()).reason).toBe(
      'varint-too-long',
    );
  });

  it('rejects truncated varints', () => {
    expect(decodeError(() => new Reader(hex('ff')).readUnsignedVarint()).reason).toBe('truncated');
    expect(decodeError(() => new Reader(hex('')).readVarint()).reason).toBe('truncated');
    expect(decodeError(() => new Reader(hex('ffffffff')).readVarlong()).reason).toBe('truncated');
  });
});

describe('strings, bytes and arrays', () => {
  it('strings round-trip in all four forms', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        fc.option(fc.string({ maxLength: 10 }), { nil: null }),
        (s, n) => {
          const w = new Writer(4);
          w.writeString(s).writeCompactString(s).writeNullableString(n).writeCompactNullableString(n);
          const r = new Reader(w.toBuffer());
          expect(r.readString()).toBe(s);
          expect(r.readCompactString()).toBe(s);
          expect(r.readNullableString()).toBe(n);
          expect(r.readCompactNullableString()).toBe(n);
          expect(r.remaining).toBe(0);
        },
      ),
    );
    expect(new Writer().writeString('hé').toBuffer().toString('hex')).toBe('000368c3a9');
    expect(new Writer().writeCompactString('ab').toBuffer().toString('hex')).toBe('036162');
    expect(new Writer().writeNullableString(null).toBuffer().toString('hex')).toBe('ffff');
    expect(new Writer().writeCompactNullableString(null).toBuffer().toString('hex')).toBe('00');
  });

  it('rejects strings longer than 32767 bytes on encode', () => {
    expect(() => new Writer().writeString('x'.repeat(32768))).toThrow(ProtocolEncodeError);
    expect(new Writer().writeString('x'.repeat(32767)).length).toBe(32769);
  });

  it('bytes round-trip and decode zero-copy', () => {
    const payload = Buffer.from('hello world');
    const w = new Writer();
    w.writeBytes(payload).writeCompactBytes(payload).writeNullableBytes(null).writeCompactNullableBytes(null);
    const input = w.toBuffer();
    const r = new Reader(input);
    const a = r.readBytes();
    const b = r.readCompactBytes();
    expect(a).toEqual(payload);
    expect(b).toEqual(payload);
    expect(r.readNullableBytes()).toBeNull();
    expect(r.readCompactNullableBytes()).toBeNull();
    // Zero-copy: the results are views of `input`.
    expect(a.buffer).toBe(input.buffer);
    expect(a.byteOffset).toBe(input.byteOffset + 4);
    input[4] = 0x48;
    expect(a.toString()).toBe('Hello world');
  });

  it('rejects negative lengths other than -1 (null), and null where not allowed', () => {
    expect(decodeError(() => new Reader(hex('fffe')).readNullableString()).reason).toBe('negative-length');
    expect(decodeError(() => new Reader(hex('fffe')).readString()).reason).toBe('negative-length');
    expect(decodeError(() => new Reader(hex('ffff')).readString()).reason).toBe('null-not-allowed');
    expect(decodeError(() => new Reader(hex('fffffffe')).readNullableBytes()).reason).toBe('negative-length');
    expect(decodeError(() => new Reader(hex('ffffffff')).readBytes()).reason).toBe('null-not-allowed');
    expect(decodeError(() => new Reader(hex('00')).readCompactString()).reason).toBe('null-not-allowed');
    expect(decodeError(() => new Reader(hex('00')).readCompactBytes()).reason).toBe('null-not-allowed');
    expect(decodeError(() => new Reader(hex('fffffffe')).readArrayLength()).reason).toBe('negative-length');
    expect(new Reader(hex('ffffffff')).readArrayLength()).toBe(-1);
    expect(new Reader(hex('00')).readCompactArrayLength()).toBe(-1);
  });

  it('rejects huge lengths before allocating anything', () => {
    const t0 = performance.now();
    expect(decodeError(() => new Reader(hex('7fffffff 00')).readBytes()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('7fff 00')).readString()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('7fffffff')).readArrayLength()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('ffffffff0f')).readCompactArrayLength()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('ffffffff0f')).readCompactBytes()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('ffff03')).readCompactString()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('05 6162')).readCompactString()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('ffffffff0f')).readUnknownTaggedFields()).reason).toBe('length-too-large');
    expect(decodeError(() => new Reader(hex('01 00 7f')).readUnknownTaggedFields()).reason).toBe('length-too-large');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('reads unknown tagged fields zero-copy', () => {
    const input = hex('02 01 02 aabb 05 00');
    const r = new Reader(input);
    const t = r.readUnknownTaggedFields()!;
    expect(t.map((f) => [f.tag, f.data.toString('hex')])).toEqual([
      [1, 'aabb'],
      [5, ''],
    ]);
    expect(t[0]!.data.buffer).toBe(input.buffer);
    expect(new Reader(hex('00')).readUnknownTaggedFields()).toBeUndefined();
    const w = new Writer();
    w.writeUnknownTaggedFields(t);
    expect(w.toBuffer().equals(input)).toBe(true);
  });
});

describe('Writer', () => {
  it('10k and 200k small appends grow linearly (chunk list, no re-copying)', () => {
    const time = (n: number): number => {
      const t0 = performance.now();
      const w = new Writer(16);
      for (let i = 0; i < n; i++) w.writeInt32(i).writeString('abc');
      expect(w.length).toBe(n * 9);
      const b = w.toBuffer();
      expect(b.length).toBe(n * 9);
      expect(b.readInt32BE((n - 1) * 9)).toBe(n - 1);
      // Chunks double up to 1 MiB, so their number stays logarithmic for small outputs.
      expect(w.toBuffers().length).toBeLessThan(20 + (n * 9) / (1 << 20));
      return performance.now() - t0;
    };
    time(10_000); // warm-up
    const small = time(10_000);
    const big = time(200_000);
    expect(big).toBeLessThan(1000);
    expect(big / Math.max(small, 0.5)).toBeLessThan(100);
  });

  it('appends large Buffers by reference and small ones by copy', () => {
    const big = Buffer.alloc(100_000, 7);
    const small = Buffer.from([1, 2, 3]);
    const w = new Writer();
    w.writeInt32(1).writeBytes(big).writeBytes(small).writeInt8(9);
    const parts = w.toBuffers();
    expect(parts).toContain(big); // identity: the same Buffer object
    expect(parts).not.toContain(small);
    expect(w.length).toBe(4 + 4 + big.length + 4 + 3 + 1);
    const all = w.toBuffer();
    expect(all.length).toBe(w.length);
    const r = new Reader(all);
    expect(r.readInt32()).toBe(1);
    expect(r.readBytes().equals(big)).toBe(true);
    expect(r.readBytes().equals(small)).toBe(true);
    expect(r.readInt8()).toBe(9);
    expect(BY_REFERENCE_THRESHOLD).toBeLessThanOrEqual(1024);
  });

  it('toBuffer of a single chunk does not copy', () => {
    const w = new Writer(64);
    w.writeInt32(5);
    const a = w.toBuffer();
    const b = w.toBuffer();
    expect(a.buffer).toBe(b.buffer);
    expect(a.byteOffset).toBe(b.byteOffset);
  });

  it('reserves an int32 and patches it after the writer has grown', () => {
    const w = new Writer(8);
    const slot = w.reserveInt32();
    const start = w.length;
    for (let i = 0; i < 1000; i++) w.writeString('payload');
    w.writeRaw(Buffer.alloc(5000));
    w.patchInt32(slot, w.length - start);
    const b = w.toBuffer();
    expect(b.readInt32BE(0)).toBe(b.length - 4);
  });

  it('writeWriter appends another writer, keeping big chunks by reference', () => {
    const big = Buffer.alloc(4096, 1);
    const inner = new Writer();
    inner.writeInt16(7).writeRaw(big);
    const outer = new Writer();
    outer.writeInt8(1).writeWriter(inner);
    expect(outer.toBuffers()).toContain(big);
    expect(outer.toBuffer().subarray(0, 3).toString('hex')).toBe('010007');
  });
});
