// One segment: a .log file of batches as received (with assigned offsets), its sparse .index
// and .timeindex. The newest bytes stay in memory (the tail cache) so caught-up readers never
// touch the disk; older bytes are served with positioned reads. With dir === null the whole
// segment lives in memory (embedded mode), through the same code.
import fs from 'node:fs';
import path from 'node:path';
import { LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE } from '@brook/protocol';
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, batchSize, offsetFileName } from './batch-header.js';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

export interface SegmentSettings {
  indexIntervalBytes: number;
  maxIndexEntries: number;
  /** Bytes of the newest data kept in memory for readers (file mode). */
  tailCacheBytes: number;
}

/** A batch found inside a segment. */
export interface BatchLocation {
  pos: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** Collects whole batches for a read. */
export interface ReadCollector {
  chunks: Buffer[];
  bytes: number;
  /** Stop at the next chunk boundary once this many bytes are collected (undefined: never). */
  splitAt?: number | undefined;
}

/** Whether a read should end here rather than start another chunk (see ReadCollector.splitAt). */
function splitHere(out: ReadCollector): boolean {
  return out.splitAt !== undefined && out.chunks.length > 0 && out.bytes >= out.splitAt;
}

interface TailChunk {
  pos: number;
  /** The cached bytes: whole batches, [pos, pos + buf.length) of the segment. */
  buf: Buffer;
  /** Backing slab that later small appends are copied into after `buf` (null: closed to appends). */
  slab: Buffer | null;
}

const READ_WINDOW = 64 * 1024;
/** Stands in for evicted chunks below tailHead (never read: lookups start at tailHead). */
const EVICTED: TailChunk = { pos: -1, buf: Buffer.alloc(0), slab: null };
/**
 * Appends below this size are copied into slabs (16 KiB doubling up to 1 MiB) instead of being
 * kept by reference: one long-lived ArrayBuffer per slab instead of one per append (the request
 * frame and the socket read it points into), which the old generation otherwise fills with and
 * every mark-compact must sweep. It also keeps consecutive small appends contiguous, so a fetch
 * gets one slice instead of many.
 */
const SLAB_COPY_BELOW = 64 * 1024;
const SLAB_MIN = 16 * 1024;
const SLAB_MAX = 1024 * 1024;

export function segmentPaths(dir: string, base: bigint) {
  const stem = path.join(dir, offsetFileName(base));
  return { log: `${stem}.log`, index: `${stem}.index`, timeIndex: `${stem}.timeindex` };
}

export class Segment {
  size = 0;
  /** Offset after the last batch (baseOffset when empty). For a loaded inactive segment, an upper bound. */
  nextOffset: bigint;
  /** maxTimestamp of the first batch: segment.ms rolls on it, like Kafka's rollingBasedTimestamp. */
  firstBatchTimestamp = -1n;
  readonly createdAtMs: number;

  private fd = -1;
  private index: OffsetIndex | null = null;
  private timeIndex: TimeIndex | null = null;
  private maxTs = -1n;
  private offsetOfMaxTs = -1n;
  private bytesSinceLastIndexEntry = 0;
  private tail: TailChunk[] = [];
  private tailHead = 0;
  private tailBytes = 0;
  /** Position of the first byte held in the tail cache (== size when nothing is cached). */
  private tailStart = 0;
  private nextSlab = SLAB_MIN;
  private closed = false;

  private constructor(
    readonly dir: string | null,
    readonly baseOffset: bigint,
    private settings: SegmentSettings,
  ) {
    this.nextOffset = baseOffset;
    this.createdAtMs = Date.now();
  }

  get inMemory(): boolean {
    return this.dir === null;
  }
  get paths() {
    if (this.dir === null) throw new Error('in-memory segment has no files');
    return segmentPaths(this.dir, this.baseOffset);
  }
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** A new, empty segment (truncates any stale file of the same name). */
  static create(dir: string | null, baseOffset: bigint, settings: SegmentSettings): Segment {
    const seg = new Segment(dir, baseOffset, settings);
    seg.index = new OffsetIndex(settings.maxIndexEntries);
    seg.timeIndex = new TimeIndex();
    if (dir !== null) {
      const p = seg.paths;
      seg.fd = fs.openSync(p.log, 'w+');
      fs.rmSync(p.index, { force: true });
      fs.rmSync(p.timeIndex, { force: true });
    }
    return seg;
  }

  /** An existing segment file of `size` bytes whose indexes load lazily. */
  static existing(dir: string | null, baseOffset: bigint, size: number, settings: SegmentSettings): Segment {
    const seg = new Segment(dir, baseOffset, settings);
    seg.size = size;
    seg.tailStart = size;
    return seg;
  }

  /** Clean open: the active segment's state as recorded at close (indexes still load lazily). */
  restoreState(s: {
    nextOffset: bigint;
    maxTimestamp: bigint;
    offsetOfMaxTimestamp: bigint;
    firstBatchTimestamp: bigint;
  }): void {
    this.nextOffset = s.nextOffset;
    this.maxTs = s.maxTimestamp;
    this.offsetOfMaxTs = s.offsetOfMaxTimestamp;
    this.firstBatchTimestamp = s.firstBatchTimestamp;
  }

  /** Recovery: the scan found `size` valid bytes. */
  setSize(size: number): void {
    this.size = size;
    this.tailStart = size;
  }

  updateSettings(settings: SegmentSettings): void {
    this.settings = settings;
  }

  // ---------------------------------------------------------------- files

  private ensureFd(): number {
    if (this.fd < 0) {
      if (this.closed) throw new Error(`segment ${this.baseOffset} is closed`);
      this.fd = fs.openSync(this.paths.log, 'r+');
    }
    return this.fd;
  }

  /** Reads [pos, pos+len) of the .log; len is clamped to the segment size. */
  readFile(pos: number, len: number): Buffer {
    const n = Math.max(0, Math.min(len, this.size - pos));
    if (n === 0) return Buffer.alloc(0);
    if (pos >= this.tailStart) return this.copyFromTail(pos, n);
    const fd = this.ensureFd();
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const r = fs.readSync(fd, out, done, n - done, pos + done);
      if (r === 0) break;
      done += r;
    }
    return done === n ? out : out.subarray(0, done);
  }

  private copyFromTail(pos: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    let i = this.tailChunkIndex(pos);
    let written = 0;
    while (written < len && i < this.tail.length) {
      const c = this.tail[i]!;
      const from = pos + written - c.pos;
      written += c.buf.copy(out, written, from, Math.min(c.buf.length, from + len - written));
      i++;
    }
    return out;
  }

  private tailChunkIndex(pos: number): number {
    let lo = this.tailHead;
    let hi = this.tail.length - 1;
    let found = this.tailHead;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tail[mid]!.pos <= pos) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- indexes

  private loadIndexes(): void {
    if (this.index && this.timeIndex) return;
    let idx: Buffer | null = null;
    let tidx: Buffer | null = null;
    if (this.dir !== null) {
      const p = this.paths;
      try {
        idx = fs.readFileSync(p.index);
        tidx = fs.readFileSync(p.timeIndex);
      } catch {
        idx = null;
      }
      if (idx && tidx && (!OffsetIndex.isSane(idx, this.size) || !TimeIndex.isSane(tidx))) idx = null;
    }
    if (idx && tidx) {
      this.index = new OffsetIndex(this.settings.maxIndexEntries, idx);
      this.timeIndex = new TimeIndex(tidx);
      const n = this.timeIndex.entries;
      if (n > 0 && this.maxTs < 0n) {
        this.maxTs = this.timeIndex.timestampAt(n - 1);
        this.offsetOfMaxTs = this.baseOffset + BigInt(this.timeIndex.relOffsetAt(n - 1));
      }
    } else {
      this.rebuildIndexesSync();
    }
  }

  /** Missing or damaged index: rebuild it from the log (the log is the truth). */
  private rebuildIndexesSync(): void {
    this.resetIndexState();
    let pos = 0;
    while (pos + LOG_OVERHEAD <= this.size) {
      const head = this.readFile(pos, RECORD_BATCH_HEADER_SIZE);
      if (head.length < RECORD_BATCH_HEADER_SIZE) break;
      const size = batchSize(head, 0);
      this.indexBatch(pos, batchBaseOffset(head, 0), batchLastOffset(head, 0), batchMaxTimestamp(head, 0), size);
      pos += size;
    }
    if (this.dir !== null && this.fd >= 0 && !this.closed) {
      try {
        this.writeIndexFiles();
      } catch {
        // Best effort: the in-memory index is correct either way.
      }
    }
  }

  resetIndexState(): void {
    this.index = new OffsetIndex(this.settings.maxIndexEntries);
    this.timeIndex = new TimeIndex();
    this.maxTs = -1n;
    this.offsetOfMaxTs = -1n;
    this.bytesSinceLastIndexEntry = 0;
    this.firstBatchTimestamp = -1n;
  }

  /** Feeds one batch (already in the file at `pos`) to the indexes and stats. */
  indexBatch(pos: number, base: bigint, last: bigint, maxTs: bigint, size: number): void {
    if (this.firstBatchTimestamp < 0n && pos === 0) this.firstBatchTimestamp = maxTs;
    if (maxTs > this.maxTs) {
      this.maxTs = maxTs;
      this.offsetOfMaxTs = last;
    }
    if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes) {
      this.index!.append(Number(base - this.baseOffset), pos);
      if (this.offsetOfMaxTs >= 0n)
        this.timeIndex!.maybeAppend(this.maxTs, Number(this.offsetOfMaxTs - this.baseOffset));
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    if (last + 1n > this.nextOffset) this.nextOffset = last + 1n;
  }

  /** Whether the offset index has room (a full index rolls the segment, as in Kafka). */
  get indexFull(): boolean {
    this.loadIndexes();
    return this.index!.isFull;
  }

  get maxTimestamp(): bigint {
    this.loadIndexes();
    return this.maxTs;
  }
  get offsetOfMaxTimestamp(): bigint {
    this.loadIndexes();
    return this.offsetOfMaxTs;
  }

  /** Writes .index and .timeindex as they stand (segment going inactive, clean close, rebuild). */
  writeIndexFiles(): void {
    if (this.dir === null || !this.index || !this.timeIndex) return;
    const p = this.paths;
    fs.writeFileSync(p.index, this.index.toBuffer());
    fs.writeFileSync(p.timeIndex, this.timeIndex.toBuffer());
  }

  /** The segment stops taking appends: close its time index like Kafka and drop the tail cache. */
  onBecomeInactive(): void {
    this.loadIndexes();
    if (this.offsetOfMaxTs >= 0n) {
      this.timeIndex!.maybeAppend(this.maxTs, Number(this.offsetOfMaxTs - this.baseOffset));
    }
    this.writeIndexFiles();
    if (this.dir !== null) this.dropTail();
  }

  private dropTail(): void {
    this.tail = [];
    this.tailHead = 0;
    this.tailBytes = 0;
    this.tailStart = this.size;
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends already-validated batches with assigned offsets: one positioned write, then the
   * index entries, then the tail cache. Large appends are kept by reference (no copy); small ones
   * are copied into the tail cache's slabs.
   */
  append(records: Buffer): void {
    this.loadIndexes();
    const position = this.size;
    if (this.dir !== null) {
      const fd = this.ensureFd();
      let done = 0;
      try {
        while (done < records.length) {
          done += fs.writeSync(fd, records, done, records.length - done, position + done);
        }
      } catch (err) {
        // A short write (ENOSPC, EIO) must not leave half a batch behind.
        try {
          fs.ftruncateSync(fd, position);
        } catch {}
        throw err;
      }
    }
    let p = 0;
    while (p < records.length) {
      const size = batchSize(records, p);
      this.indexBatch(
        position + p,
        batchBaseOffset(records, p),
        batchLastOffset(records, p),
        batchMaxTimestamp(records, p),
        size,
      );
      p += size;
    }
    this.size = position + records.length;
    this.cacheTail(position, records);
    this.tailBytes += records.length;
    if (this.dir !== null) this.evictTail();
  }

  private cacheTail(position: number, records: Buffer): void {
    const n = records.length;
    if (n >= SLAB_COPY_BELOW) {
      this.tail.push({ pos: position, buf: records, slab: null });
      return;
    }
    const last = this.tail.length > this.tailHead ? this.tail[this.tail.length - 1]! : undefined;
    if (last?.slab && last.pos + last.buf.length === position && last.slab.length - last.buf.length >= n) {
      // Bytes past last.buf were never handed out, so writing there cannot change what a reader holds.
      const fill = last.buf.length;
      records.copy(last.slab, fill);
      last.buf = last.slab.subarray(0, fill + n);
      return;
    }
    let size = this.nextSlab;
    if (this.dir !== null) size = Math.min(size, Math.max(SLAB_MIN, this.settings.tailCacheBytes >>> 2));
    this.nextSlab = Math.min(this.nextSlab * 2, SLAB_MAX);
    const slab = Buffer.allocUnsafeSlow(Math.max(size, n));
    records.copy(slab, 0);
    this.tail.push({ pos: position, buf: slab.subarray(0, n), slab });
  }

  private evictTail(): void {
    const limit = this.settings.tailCacheBytes;
    while (this.tail.length - this.tailHead > 1 && this.tailBytes - this.tail[this.tailHead]!.buf.length >= limit) {
      this.tailBytes -= this.tail[this.tailHead]!.buf.length;
      // Release the bytes now, not when the array is next compacted: kept there for 64 more
      // appends, request frames outlived two scavenges, were promoted, and only a mark-compact
      // (one every ~60 ms at 600 MB/s) could free them.
      this.tail[this.tailHead] = EVICTED;
      this.tailHead++;
    }
    if (this.tailHead > 64 && this.tailHead * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailHead);
      this.tailHead = 0;
    }
    const first = this.tail[this.tailHead];
    this.tailStart = first ? first.pos : this.size;
  }

  // ---------------------------------------------------------------- reads

  /** Header bytes of the batch at `pos` (at least the 61-byte header, when present). */
  private headerAt(pos: number, window: { buf: Buffer; pos: number }): { buf: Buffer; off: number } | null {
    if (pos + LOG_OVERHEAD > this.size) return null;
    if (pos >= this.tailStart) {
      const c = this.tail[this.tailChunkIndex(pos)]!;
      return { buf: c.buf, off: pos - c.pos };
    }
    if (pos < window.pos || pos + RECORD_BATCH_HEADER_SIZE > window.pos + window.buf.length) {
      window.buf = this.readFile(pos, Math.min(READ_WINDOW, this.tailStart - pos));
      window.pos = pos;
      if (window.buf.length < RECORD_BATCH_HEADER_SIZE) {
        window.buf = this.readFile(pos, RECORD_BATCH_HEADER_SIZE);
        if (window.buf.length < RECORD_BATCH_HEADER_SIZE) return null;
      }
    }
    return { buf: window.buf, off: pos - window.pos };
  }

  /** The first batch whose last offset is >= target, or null if the segment ends before it. */
  locate(target: bigint, startPos?: number): BatchLocation | null {
    this.loadIndexes();
    let pos = startPos ?? (target <= this.baseOffset ? 0 : this.index!.lookup(Number(target - this.baseOffset)));
    const window = { buf: Buffer.alloc(0), pos: 0 };
    for (;;) {
      const h = this.headerAt(pos, window);
      if (!h) return null;
      const size = batchSize(h.buf, h.off);
      const last = batchLastOffset(h.buf, h.off);
      if (last >= target) {
        return {
          pos,
          size,
          baseOffset: batchBaseOffset(h.buf, h.off),
          lastOffset: last,
          maxTimestamp: batchMaxTimestamp(h.buf, h.off),
        };
      }
      pos += size;
    }
  }

  /** The first batch holding a record with timestamp >= ts (by batch maxTimestamp), or null. */
  locateTimestamp(ts: bigint, startPos?: number): BatchLocation | null {
    this.loadIndexes();
    if (this.maxTs < ts) return null;
    const rel = this.timeIndex!.lookupBefore(ts);
    let pos = startPos ?? (rel < 0 ? 0 : this.index!.lookup(rel));
    const window = { buf: Buffer.alloc(0), pos: 0 };
    for (;;) {
      const h = this.headerAt(pos, window);
      if (!h) return null;
      const size = batchSize(h.buf, h.off);
      const maxTs = batchMaxTimestamp(h.buf, h.off);
      if (maxTs >= ts) {
        return {
          pos,
          size,
          baseOffset: batchBaseOffset(h.buf, h.off),
          lastOffset: batchLastOffset(h.buf, h.off),
          maxTimestamp: maxTs,
        };
      }
      pos += size;
    }
  }

  /** The whole batch at a location (a copy from disk, or a view of the tail cache). */
  batchBytes(loc: BatchLocation): Buffer {
    if (loc.pos >= this.tailStart) {
      const c = this.tail[this.tailChunkIndex(loc.pos)]!;
      return c.buf.subarray(loc.pos - c.pos, loc.pos - c.pos + loc.size);
    }
    return this.readFile(loc.pos, loc.size);
  }

  /**
   * Appends whole batches from `pos` to `out` within `maxBytes` total, stopping before the first
   * batch whose last offset reaches `maxOffset`. With `minOne`, the first batch of an empty read
   * is returned even when larger than the budget. Returns true when it stopped for the budget or
   * maxOffset (the caller must not continue into the next segment).
   */
  /**
   * readInto from the batch containing `target`. For data on disk, one positioned read covers
   * both the short scan from the index entry and the budget. Returns null when the segment ends
   * before `target`.
   */
  readFromOffset(
    target: bigint,
    maxBytes: number,
    maxOffset: bigint,
    minOne: boolean,
    out: ReadCollector,
  ): boolean | null {
    this.loadIndexes();
    const pos0 = target <= this.baseOffset ? 0 : this.index!.lookup(Number(target - this.baseOffset));
    if (pos0 < this.tailStart) {
      const room = Math.max(maxBytes - out.bytes, RECORD_BATCH_HEADER_SIZE);
      const pre = this.readFile(pos0, Math.min(this.tailStart - pos0, room + this.settings.indexIntervalBytes + 16384));
      let p = 0;
      while (p + RECORD_BATCH_HEADER_SIZE <= pre.length) {
        if (batchLastOffset(pre, p) >= target) {
          return this.readInto(pos0 + p, maxBytes, maxOffset, minOne, out, { pos: pos0, buf: pre });
        }
        p += batchSize(pre, p);
      }
    }
    const loc = this.locate(target, pos0);
    return loc ? this.readInto(loc.pos, maxBytes, maxOffset, minOne, out) : null;
  }

  readInto(
    pos: number,
    maxBytes: number,
    maxOffset: bigint,
    minOne: boolean,
    out: ReadCollector,
    pre?: { pos: number; buf: Buffer },
  ): boolean {
    if (splitHere(out)) return true;
    // Part stored only in the file: one positioned read sized by the budget, then trim to whole
    // batches. Batches never straddle tailStart (chunks are whole appends), so a batch cut by
    // the end of the buffer means the budget ran out.
    if (pos < this.tailStart) {
      const fileEnd = this.tailStart;
      const first = minOne && out.bytes === 0;
      let want = Math.min(fileEnd - pos, maxBytes - out.bytes);
      if (first) want = Math.max(want, Math.min(fileEnd - pos, RECORD_BATCH_HEADER_SIZE));
      if (want <= 0) return true;
      let buf =
        pre && pre.pos <= pos && pre.pos + pre.buf.length >= pos + want
          ? pre.buf.subarray(pos - pre.pos, pos - pre.pos + want)
          : this.readFile(pos, want);
      let p = 0;
      let stop = false;
      while (p < buf.length) {
        if (p + RECORD_BATCH_HEADER_SIZE > buf.length || p + batchSize(buf, p) > buf.length) {
          if (p === 0 && first && buf.length >= LOG_OVERHEAD) {
            // Kafka returns an oversized first batch whole, so consumers make progress.
            buf = this.readFile(pos, batchSize(buf, 0));
            if (buf.length < RECORD_BATCH_HEADER_SIZE || batchLastOffset(buf, 0) >= maxOffset) return true;
            p = buf.length;
          }
          stop = true;
          break;
        }
        if (batchLastOffset(buf, p) >= maxOffset) {
          stop = true;
          break;
        }
        p += batchSize(buf, p);
      }
      if (p > 0) {
        out.chunks.push(p === buf.length ? buf : buf.subarray(0, p));
        out.bytes += p;
      }
      pos += p;
      if (stop || pos < fileEnd) return true;
      if (pos >= this.size) return false;
    }
    // Part held in the tail cache: zero-copy slices of the appended buffers.
    let i = this.tailChunkIndex(pos);
    while (i < this.tail.length && pos < this.size) {
      if (splitHere(out)) return true;
      const c = this.tail[i]!;
      let p = pos - c.pos;
      const start = p;
      let stop = false;
      while (p < c.buf.length) {
        const size = batchSize(c.buf, p);
        if (batchLastOffset(c.buf, p) >= maxOffset) {
          stop = true;
          break;
        }
        const fits = out.bytes + (p - start) + size <= maxBytes;
        if (!fits && !(minOne && out.bytes === 0 && p === start)) {
          stop = true;
          break;
        }
        p += size;
      }
      if (p > start) {
        out.chunks.push(start === 0 && p === c.buf.length ? c.buf : c.buf.subarray(start, p));
        out.bytes += p - start;
      }
      if (stop) return true;
      pos = c.pos + c.buf.length;
      i++;
    }
    return false;
  }

  // ---------------------------------------------------------------- maintenance

  /** Cuts the segment so it ends before the batch containing `offset`. */
  truncateTo(offset: bigint): void {
    const loc = this.locate(offset);
    if (!loc) return;
    this.truncateToPosition(loc.pos);
  }

  /** Cuts the file at a batch boundary and recomputes the tail state. */
  truncateToPosition(pos: number): void {
    this.loadIndexes();
    if (pos >= this.size) return;
    if (this.dir !== null) fs.ftruncateSync(this.ensureFd(), pos);
    this.size = pos;
    // Tail cache: drop chunks past the cut (cuts are batch boundaries; a chunk may be split).
    while (this.tail.length > this.tailHead) {
      const c = this.tail[this.tail.length - 1]!;
      if (c.pos >= pos) {
        this.tail.pop();
        this.tailBytes -= c.buf.length;
      } else {
        if (c.pos + c.buf.length > pos) {
          this.tailBytes -= c.pos + c.buf.length - pos;
          c.buf = c.buf.subarray(0, pos - c.pos);
        }
        // Readers may still hold bytes past the cut: never write over them.
        c.slab = null;
        break;
      }
    }
    this.tailStart = this.tail.length > this.tailHead ? this.tail[this.tailHead]!.pos : this.size;
    if (this.tailStart > this.size) this.tailStart = this.size;
    // Indexes: keep entries before the cut, then rescan the remaining tail for the stats.
    const idx = this.index!;
    idx.truncateToPosition(pos);
    const keep = idx.entries;
    const lastEntryPos = keep > 0 ? idx.positionAt(keep - 1) : 0;
    const lastEntryRel = keep > 0 ? idx.relOffsetAt(keep - 1) : -1;
    this.timeIndex!.truncateToRelOffset(lastEntryRel + 1);
    const t = this.timeIndex!;
    this.maxTs = t.entries > 0 ? t.timestampAt(t.entries - 1) : -1n;
    this.offsetOfMaxTs = t.entries > 0 ? this.baseOffset + BigInt(t.relOffsetAt(t.entries - 1)) : -1n;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    if (pos === 0) this.firstBatchTimestamp = -1n;
    const window = { buf: Buffer.alloc(0), pos: 0 };
    let p = keep > 0 ? lastEntryPos : 0;
    if (keep > 0) this.nextOffset = this.baseOffset + BigInt(lastEntryRel);
    while (p < this.size) {
      const h = this.headerAt(p, window);
      if (!h) break;
      const size = batchSize(h.buf, h.off);
      const last = batchLastOffset(h.buf, h.off);
      const maxTs = batchMaxTimestamp(h.buf, h.off);
      if (maxTs > this.maxTs) {
        this.maxTs = maxTs;
        this.offsetOfMaxTs = last;
      }
      if (p === 0) this.firstBatchTimestamp = maxTs;
      this.bytesSinceLastIndexEntry += size;
      this.nextOffset = last + 1n;
      p += size;
    }
    if (this.dir !== null) this.writeIndexFiles();
  }

  /** fdatasync of the .log (index files are rebuilt by recovery if they lag). */
  flush(): Promise<void> {
    if (this.dir === null || this.fd < 0) return Promise.resolve();
    const fd = this.fd;
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** fsync of the .log and both index files (a segment going inactive becomes a recovery point). */
  async flushAll(): Promise<void> {
    if (this.dir === null) return;
    await this.flush();
    for (const f of [this.paths.index, this.paths.timeIndex]) {
      try {
        const h = await fs.promises.open(f, 'r+');
        try {
          await h.datasync();
        } finally {
          await h.close();
        }
      } catch {
        // Missing index files are rebuilt on open.
      }
    }
  }

  close(): void {
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {}
      this.fd = -1;
    }
    this.closed = true;
  }

  /** Closes and removes the segment's files. */
  deleteFiles(): void {
    this.close();
    if (this.dir === null) {
      this.tail = [];
      return;
    }
    const p = this.paths;
    for (const f of [p.log, p.index, p.timeIndex]) fs.rmSync(f, { force: true });
  }

  /** Copies of all batches from `pos` on, for compaction/recovery scans, in chunks of about `chunk` bytes. */
  *chunks(chunk = 8 * 1024 * 1024): Generator<{ pos: number; buf: Buffer }> {
    let pos = 0;
    while (pos < this.size) {
      let buf = this.readFile(pos, chunk);
      let p = 0;
      while (p + LOG_OVERHEAD <= buf.length && p + batchSize(buf, p) <= buf.length) p += batchSize(buf, p);
      if (p === 0) {
        // One batch larger than the chunk.
        if (buf.length < LOG_OVERHEAD) return;
        buf = this.readFile(pos, batchSize(buf, 0));
        p = buf.length;
        if (p < LOG_OVERHEAD || batchSize(buf, 0) !== p) return;
      }
      yield { pos, buf: buf.subarray(0, p) };
      pos += p;
    }
  }

  /** Entries in the offset index (for tests and stats). */
  get indexEntries(): number {
    this.loadIndexes();
    return this.index!.entries;
  }

  /** For tests: the positions stored in the offset index. */
  indexSnapshot(): Array<{ relOffset: number; position: number }> {
    this.loadIndexes();
    const out = [];
    for (let i = 0; i < this.index!.entries; i++) {
      out.push({ relOffset: this.index!.relOffsetAt(i), position: this.index!.positionAt(i) });
    }
    return out;
  }
}

export { OFFSET_INDEX_ENTRY_SIZE };
