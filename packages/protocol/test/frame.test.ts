import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FrameSplitter, FrameTooLargeError } from '../src/frame.js';

function frame(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('FrameSplitter', () => {
  test('the same stream split at random points yields identical frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frame(Buffer.from(p))));
          const splitter = new FrameSplitter(1024);
          const got: Buffer[] = [];
          for (const chunk of splitAt(stream, cuts)) got.push(...splitter.push(chunk));
          expect(got.map((b) => b.toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
          expect(splitter.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('frames inside a single chunk are zero-copy', () => {
    const stream = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('defg'))]);
    const frames = new FrameSplitter(100).push(stream);
    expect(frames.map((f) => f.toString())).toEqual(['abc', 'defg']);
    expect(frames[0]!.buffer).toBe(stream.buffer);
    expect(frames[1]!.byteOffset).toBe(stream.byteOffset + 11);
  });

  test('byte-at-a-time feeding and buffered count', () => {
    const stream = Buffer.concat([frame(Buffer.from('hello')), frame(Buffer.alloc(0)), frame(Buffer.from('x'))]);
    const s = new FrameSplitter(100);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      for (const f of s.push(stream.subarray(i, i + 1))) got.push(f.toString());
      if (i === 5) expect(s.buffered).toBe(6);
    }
    expect(got).toEqual(['hello', '', 'x']);
    expect(s.buffered).toBe(0);
  });

  test('oversized declared size throws before the payload arrives', () => {
    const s = new FrameSplitter(1000);
    const head = Buffer.alloc(4);
    head.writeInt32BE(1001, 0);
    expect(() => s.push(head)).toThrow(FrameTooLargeError);
    const s2 = new FrameSplitter(1000);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7fffffff, 0);
    // Split prefix: still rejected as soon as the 4 bytes are in.
    expect(s2.push(huge.subarray(0, 2))).toEqual([]);
    expect(() => s2.push(huge.subarray(2))).toThrow(expect.objectContaining({ declaredSize: 0x7fffffff }));
  });

  test('negative size throws', () => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(-1, 0);
    expect(() => new FrameSplitter(1000).push(b)).toThrow(FrameTooLargeError);
  });

  test('a frame spanning many reads arrives whole; frames after it in the last read follow in order', () => {
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i, i);
    const stream = Buffer.concat([
      frame(Buffer.from('first')),
      frame(big),
      frame(Buffer.from('after')),
      frame(Buffer.from('x')),
    ]);
    const s = new FrameSplitter(2 * 1024 * 1024);
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 65536) {
      got.push(...s.push(stream.subarray(i, i + 65536)));
      if (i === 3 * 65536) expect(s.buffered).toBe(4 * 65536 - 9);
    }
    expect(got.map((f) => f.length)).toEqual([5, big.length, 5, 1]);
    expect(got[1]!.equals(big)).toBe(true);
    expect(got[2]!.toString()).toBe('after');
    expect(s.buffered).toBe(0);
  });

  test('a size prefix alone does not allocate the declared frame', () => {
    const s = new FrameSplitter(256 * 1024 * 1024);
    const head = Buffer.alloc(4 + 1024);
    head.writeInt32BE(200 * 1024 * 1024, 0);
    const before = process.memoryUsage().arrayBuffers;
    expect(s.push(head)).toEqual([]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    expect(s.buffered).toBe(head.length);
  });

  test('many small chunks do not go quadratic', () => {
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    const stream = frame(payload);
    const s = new FrameSplitter(8 * 1024 * 1024);
    const t0 = performance.now();
    let out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 512) out = out.concat(s.push(stream.subarray(i, i + 512)));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out.length).toBe(1);
    expect(out[0]!.equals(payload)).toBe(true);
  });
});
