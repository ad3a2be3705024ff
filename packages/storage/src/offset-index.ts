// Sparse offset → file position index of one segment, Kafka's .index format:
// 8-byte entries (relative offset int32, position int32), big-endian, strictly increasing.
// Held in memory; written to disk when the segment becomes inactive or the log closes cleanly.

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export class OffsetIndex {
  private buf: Buffer;
  private n = 0;

  constructor(
    readonly maxEntries: number,
    initial?: Buffer,
  ) {
    if (initial && initial.length > 0) {
      this.n = Math.floor(initial.length / OFFSET_INDEX_ENTRY_SIZE);
      this.buf = Buffer.allocUnsafe(Math.max(64, this.n) * OFFSET_INDEX_ENTRY_SIZE);
      initial.copy(this.buf, 0, 0, this.n * OFFSET_INDEX_ENTRY_SIZE);
    } else {
      this.buf = Buffer.allocUnsafe(16 * OFFSET_INDEX_ENTRY_SIZE);
    }
  }

  get entries(): number {
    return this.n;
  }
  get isFull(): boolean {
    return this.n >= this.maxEntries;
  }
  get sizeInBytes(): number {
    return this.n * OFFSET_INDEX_ENTRY_SIZE;
  }

  relOffsetAt(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE);
  }
  positionAt(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4);
  }

  append(relOffset: number, position: number): void {
    if (this.n > 0 && relOffset <= this.relOffsetAt(this.n - 1)) return;
    if ((this.n + 1) * OFFSET_INDEX_ENTRY_SIZE > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.n * OFFSET_INDEX_ENTRY_SIZE);
      this.buf = bigger;
    }
    this.buf.writeInt32BE(relOffset, this.n * OFFSET_INDEX_ENTRY_SIZE);
    this.buf.writeInt32BE(position, this.n * OFFSET_INDEX_ENTRY_SIZE + 4);
    this.n++;
  }

  /** Index of the largest entry with relOffset <= target, or -1. */
  floorEntry(relOffset: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsetAt(mid) <= relOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** File position to start scanning from for `relOffset` (0 when no entry precedes it). */
  lookup(relOffset: number): number {
    const i = this.floorEntry(relOffset);
    return i < 0 ? 0 : this.positionAt(i);
  }

  /** Drops entries for offsets >= relOffset (truncation). */
  truncateToRelOffset(relOffset: number): void {
    while (this.n > 0 && this.relOffsetAt(this.n - 1) >= relOffset) this.n--;
  }

  /** Drops entries pointing at or past `position` (a torn tail was cut there). */
  truncateToPosition(position: number): void {
    while (this.n > 0 && this.positionAt(this.n - 1) >= position) this.n--;
  }

  clear(): void {
    this.n = 0;
  }

  /** The entries as stored on disk (a view; copy if you keep it across appends). */
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.n * OFFSET_INDEX_ENTRY_SIZE);
  }

  /**
   * Kafka-style sanity check of an index read from disk: whole entries, strictly increasing
   * offsets and positions, every position inside the log file.
   */
  static isSane(data: Buffer, logSize: number): boolean {
    if (data.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return false;
    let prevOff = -1;
    let prevPos = -1;
    for (let p = 0; p < data.length; p += OFFSET_INDEX_ENTRY_SIZE) {
      const off = data.readInt32BE(p);
      const pos = data.readInt32BE(p + 4);
      if (off <= prevOff || pos <= prevPos || pos >= logSize || off < 0) return false;
      prevOff = off;
      prevPos = pos;
    }
    return true;
  }
}
