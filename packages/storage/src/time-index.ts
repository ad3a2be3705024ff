// Sparse timestamp → offset index of one segment, Kafka's .timeindex format:
// 12-byte entries (timestamp int64, relative offset int32), both non-decreasing.
// An entry (t, o) says: no record at or before offset o has a timestamp above t.

export const TIME_INDEX_ENTRY_SIZE = 12;

export class TimeIndex {
  private buf: Buffer;
  private n = 0;

  constructor(initial?: Buffer) {
    if (initial && initial.length > 0) {
      this.n = Math.floor(initial.length / TIME_INDEX_ENTRY_SIZE);
      this.buf = Buffer.allocUnsafe(Math.max(32, this.n) * TIME_INDEX_ENTRY_SIZE);
      initial.copy(this.buf, 0, 0, this.n * TIME_INDEX_ENTRY_SIZE);
    } else {
      this.buf = Buffer.allocUnsafe(16 * TIME_INDEX_ENTRY_SIZE);
    }
  }

  get entries(): number {
    return this.n;
  }

  timestampAt(i: number): bigint {
    return this.buf.readBigInt64BE(i * TIME_INDEX_ENTRY_SIZE);
  }
  relOffsetAt(i: number): number {
    return this.buf.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8);
  }

  /** Adds (timestamp, relOffset) if it moves the index forward; otherwise a no-op. */
  maybeAppend(timestamp: bigint, relOffset: number): void {
    if (this.n > 0) {
      const last = this.n - 1;
      if (timestamp <= this.timestampAt(last) || relOffset < this.relOffsetAt(last)) return;
    }
    if ((this.n + 1) * TIME_INDEX_ENTRY_SIZE > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.n * TIME_INDEX_ENTRY_SIZE);
      this.buf = bigger;
    }
    this.buf.writeBigInt64BE(timestamp, this.n * TIME_INDEX_ENTRY_SIZE);
    this.buf.writeInt32BE(relOffset, this.n * TIME_INDEX_ENTRY_SIZE + 8);
    this.n++;
  }

  /**
   * Relative offset from which to scan for the first record with timestamp >= target:
   * the offset of the last entry whose timestamp is strictly below the target (every record up
   * to it is older than the target), or -1 to scan from the segment start.
   */
  lookupBefore(target: bigint): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) < target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.relOffsetAt(found);
  }

  truncateToRelOffset(relOffset: number): void {
    while (this.n > 0 && this.relOffsetAt(this.n - 1) >= relOffset) this.n--;
  }

  clear(): void {
    this.n = 0;
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.n * TIME_INDEX_ENTRY_SIZE);
  }

  static isSane(data: Buffer): boolean {
    if (data.length % TIME_INDEX_ENTRY_SIZE !== 0) return false;
    let prevTs = -(2n ** 63n);
    let prevOff = -1;
    for (let p = 0; p < data.length; p += TIME_INDEX_ENTRY_SIZE) {
      const ts = data.readBigInt64BE(p);
      const off = data.readInt32BE(p + 8);
      if (ts < prevTs || off < prevOff || off < 0) return false;
      prevTs = ts;
      prevOff = off;
    }
    return true;
  }
}
