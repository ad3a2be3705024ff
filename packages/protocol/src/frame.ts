// Splits a TCP byte stream into Kafka frames (int32 size prefix + payload).
// Chunks are kept in a list and only copied when a frame straddles chunk boundaries, so each
// byte is copied at most once; frames inside a single chunk are returned as zero-copy subarrays.

const SIZE_PREFIX = 4;
const EMPTY = Buffer.alloc(0);

/** A peer declared a frame size that is negative or above the configured maximum. */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly declaredSize: number,
    readonly maxFrameBytes: number,
  ) {
    super(
      declaredSize < 0
        ? `invalid negative frame size ${declaredSize}`
        : `frame size ${declaredSize} exceeds the maximum of ${maxFrameBytes} bytes`,
    );
  }
}

export class FrameSplitter {
  private chunks: Buffer[] = [];
  /** Index of the first live chunk in `chunks` (avoids O(n) shift per consumed chunk). */
  private head = 0;
  /** Read position inside chunks[head]. */
  private headPos = 0;
  private total = 0;
  /** Size of the frame whose prefix was already consumed, or -1 while waiting for a prefix. */
  private pending = -1;

  constructor(readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as part of a frame (including a partial size prefix). */
  get buffered(): number {
    return this.pending >= 0 ? this.total + SIZE_PREFIX : this.total;
  }

  /**
   * Feeds a chunk and returns all frames it completes, without their size prefix. Throws
   * FrameTooLargeError on a bad declared size before buffering the payload; the splitter (and
   * the connection) should be discarded after that.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    for (;;) {
      if (this.pending < 0) {
        if (this.total < SIZE_PREFIX) break;
        const size = this.readSizePrefix();
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        this.pending = size;
      }
      if (this.total < this.pending) break;
      frames.push(this.take(this.pending));
      this.pending = -1;
    }
    this.compact();
    return frames;
  }

  /** Clears all buffered state (e.g. on connection reset). */
  reset(): void {
    this.chunks = [];
    this.head = 0;
    this.headPos = 0;
    this.total = 0;
    this.pending = -1;
  }

  private readSizePrefix(): number {
    const first = this.chunks[this.head]!;
    if (first.length - this.headPos >= SIZE_PREFIX) {
      const size = first.readInt32BE(this.headPos);
      this.advance(SIZE_PREFIX);
      return size;
    }
    // Prefix straddles chunks: assemble 4 bytes.
    const b = this.take(SIZE_PREFIX);
    return b.readInt32BE(0);
  }

  /** Consumes n bytes (n <= total). Zero-copy when they lie in one chunk. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[this.head]!;
    const availInFirst = first.length - this.headPos;
    if (availInFirst >= n) {
      const out = first.subarray(this.headPos, this.headPos + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const c = this.chunks[this.head]!;
      const m = Math.min(c.length - this.headPos, n - written);
      c.copy(out, written, this.headPos, this.headPos + m);
      written += m;
      this.advance(m);
    }
    return out;
  }

  private advance(n: number): void {
    this.headPos += n;
    this.total -= n;
    const c = this.chunks[this.head];
    if (c !== undefined && this.headPos === c.length) {
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.headPos = 0;
    }
  }

  private compact(): void {
    if (this.head === 0) return;
    if (this.head >= this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
