// One partition: an ordered list of segments, the append and read paths, retention,
// truncation, and the producer state. Appends are synchronous up to handing bytes to the OS,
// so offsets are assigned in call order; maintenance (retention, compaction, truncation,
// DeleteRecords) runs one task at a time under a per-log lock and never holds appends.
import fs from 'node:fs';
import path from 'node:path';
import {
  decodeRecords,
  InvalidRecordBatchError,
  LOG_OVERHEAD,
  RecordBatchView,
  TimestampType,
  validateBatch,
} from '@brook/protocol';
import {
  batchBaseOffset,
  batchBaseSequence,
  batchLastOffset,
  batchMaxTimestamp,
  batchProducerEpoch,
  batchProducerId,
  batchSize,
  offsetFileName,
} from './batch-header.js';
import { hasDeleteRetention, type LogConfig, resolveConfig } from './config.js';
import {
  type CorruptReason,
  CorruptRecordError,
  InvalidOffsetError,
  LogClosedError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
} from './errors.js';
import type { ProducerAppendTxn, ProducerStateEntry, ProducerStateManager } from './producer-state.js';
import { type ReadCollector, Segment, type SegmentSettings } from './segment.js';
import { type AbortedTxn, controlTypeOf, TxnIndex } from './txn-index.js';

export interface Logger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export const NOOP_LOGGER: Logger = { info() {}, warn() {}, error() {} };

export interface AppendOptions {
  /** Wall clock for LogAppendTime and time-based rolling (default Date.now()). */
  now?: number;
  /** Stamped into every batch when given (the leader's epoch). */
  leaderEpoch?: number;
  /** false: keep the batches' own offsets (replication); skips producer checks as Kafka does. */
  assignOffsets?: boolean;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1n unless the topic uses LogAppendTime. */
  logAppendTime: bigint;
  logStartOffset: bigint;
  /** Resolves once the bytes are on disk when fsyncOnAppend is set; already resolved otherwise. */
  durable: Promise<void>;
}

export interface ReadOptions {
  /** Exclusive upper bound (e.g. the high watermark or LSO); default: the log end. */
  maxOffset?: bigint;
  /** Return the first batch even when larger than maxBytes (default true, as Kafka). */
  minOneBatch?: boolean;
  /**
   * Once this many bytes are collected, end the read at the next boundary between stored chunks
   * (appends in the tail cache, file reads, segments) instead of adding another chunk. Lets a caller
   * that needs one contiguous Buffer (a Fetch response) avoid concatenating; the rest comes with
   * the next read, as Kafka reads from one segment per fetch. Default: read up to maxBytes.
   */
  splitAt?: number;
}

export interface ReadResult {
  /** Whole batches, concatenable straight onto the wire. */
  chunks: Buffer[];
  bytes: number;
  logStartOffset: bigint;
  logEndOffset: bigint;
  highWatermark: bigint;
}

export interface TimestampOffset {
  offset: bigint;
  timestamp: bigint;
}

export const EARLIEST_TIMESTAMP = -2n;
export const LATEST_TIMESTAMP = -1n;
export const MAX_TIMESTAMP = -3n;

/** What a partition persists besides its segments (partition.meta, JSON). */
export interface PartitionMeta {
  version: 1;
  logStartOffset: string;
  /** Base of the first segment that recovery must scan after a crash. */
  recoveryPoint: string;
  /** Offsets below this are already compacted. */
  cleanerCheckpoint: string;
  /** Topic config overrides given at create/updateConfig, restored on open. */
  overrides: Partial<LogConfig>;
}

/**
 * A partition's state at a clean close, kept in the data dir's clean-shutdown marker so that
 * the next start needs no per-partition reads at all.
 */
export interface CleanState {
  meta: PartitionMeta;
  /** [baseOffset, size] of every segment, in order. */
  segments: Array<[string, number]>;
  nextOffset: string;
  maxTimestamp: string;
  offsetOfMaxTimestamp: string;
  firstBatchTimestamp: string;
  /** Offset of the producer snapshot written at close, or null when there are no producers. */
  producerSnapshot: string | null;
}

export const META_FILE = 'partition.meta';
const RESOLVED: Promise<void> = Promise.resolve();

export interface PartitionLogInit {
  topic: string;
  partition: number;
  dir: string | null;
  config: LogConfig;
  overrides: Partial<LogConfig>;
  segments: Segment[];
  logStartOffset: bigint;
  recoveryPoint: bigint;
  cleanerCheckpoint: bigint;
  producers: ProducerStateManager;
  logger: Logger;
  tailCacheBytes: number;
  autoHighWatermark: boolean;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function snapshotPath(dir: string, offset: bigint): string {
  return path.join(dir, `${offsetFileName(offset)}.snapshot`);
}

export function segmentSettings(cfg: LogConfig, tailCacheBytes: number): SegmentSettings {
  return {
    indexIntervalBytes: cfg.indexIntervalBytes,
    maxIndexEntries: Math.max(1, Math.floor(cfg.segmentIndexBytes / 8)),
    tailCacheBytes,
  };
}

/** Writes a small file atomically: temp file, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Buffer, sync = true): Promise<void> {
  const tmp = `${file}.tmp`;
  const h = await fs.promises.open(tmp, 'w');
  try {
    await h.writeFile(data);
    if (sync) await h.datasync();
  } finally {
    await h.close();
  }
  await fs.promises.rename(tmp, file);
}

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** Partition directory, null in memory mode. */
  readonly dir: string | null;
  config: LogConfig;

  /** @internal segments in offset order; the last one is active. */
  segments: Segment[];
  private _logStartOffset: bigint;
  private _logEndOffset: bigint;
  private _highWatermark: bigint;
  /** @internal */
  recoveryPoint: bigint;
  /** @internal */
  cleanerCheckpoint: bigint;
  /** @internal */
  readonly producers: ProducerStateManager;
  /** Ongoing and aborted transactions (txn-index.ts). */
  readonly txns: TxnIndex;
  private overrides: Partial<LogConfig>;
  private settings: SegmentSettings;
  private readonly logger: Logger;
  private readonly tailCacheBytes: number;
  private readonly autoHighWatermark: boolean;
  private listeners: Array<() => void> = [];

  private unflushedMessages = 0;
  private _flushedOffset: bigint;
  /** @internal */
  lastFlushMs = Date.now();
  private pendingSync: Promise<void> | null = null;
  private syncInFlight: Promise<void> | null = null;
  private background = new Set<Promise<unknown>>();
  private lockTail: Promise<unknown> = RESOLVED;
  private metaChain: Promise<void> = RESOLVED;
  private memSnapshots = new Map<bigint, Buffer>();
  private closed = false;
  /** @internal set while compaction runs, to skip overlapping passes. */
  compacting = false;

  constructor(init: PartitionLogInit) {
    this.topic = init.topic;
    this.partition = init.partition;
    this.dir = init.dir;
    this.config = init.config;
    this.overrides = init.overrides;
    this.segments = init.segments;
    this.logger = init.logger;
    this.tailCacheBytes = init.tailCacheBytes;
    this.autoHighWatermark = init.autoHighWatermark;
    this.settings = segmentSettings(init.config, init.tailCacheBytes);
    this._logStartOffset = init.logStartOffset;
    this._logEndOffset = this.active.nextOffset;
    this._highWatermark = this._logEndOffset;
    // What open found is what recovery accepted (and a clean close fsynced).
    this._flushedOffset = this._logEndOffset;
    this.recoveryPoint = init.recoveryPoint;
    this.cleanerCheckpoint = init.cleanerCheckpoint;
    this.producers = init.producers;
    this.txns = new TxnIndex(init.dir, init.producers);
  }

  // ---------------------------------------------------------------- state

  /** @internal */
  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }
  get logStartOffset(): bigint {
    return this._logStartOffset;
  }
  get logEndOffset(): bigint {
    return this._logEndOffset;
  }
  get highWatermark(): bigint {
    return this._highWatermark;
  }
  /**
   * Offsets below this are fsynced (Kafka's flushed offset): moved by flush.messages, flush.ms,
   * fsyncOnAppend, explicit flushes and rolls. In memory mode there is nothing to sync: the log end.
   */
  get flushedOffset(): bigint {
    return this.dir === null ? this._logEndOffset : this._flushedOffset;
  }
  /** Clamped to [logStartOffset, logEndOffset]. With autoHighWatermark (default) appends move it to the log end. */
  setHighWatermark(o: bigint): void {
    let hw = o;
    if (hw > this._logEndOffset) hw = this._logEndOffset;
    if (hw < this._logStartOffset) hw = this._logStartOffset;
    this._highWatermark = hw;
  }
  get sizeInBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  updateConfig(patch: Partial<LogConfig>): void {
    this.overrides = { ...this.overrides, ...patch };
    this.config = resolveConfig(this.config, patch);
    this.settings = segmentSettings(this.config, this.tailCacheBytes);
    for (const s of this.segments) s.updateSettings(this.settings);
    this.track(this.writeMeta());
  }

  /** @internal the overrides persisted with the partition. */
  get configOverrides(): Partial<LogConfig> {
    return this.overrides;
  }

  /** Kafka's LSO: offsets below it belong to decided transactions (read_committed stops here). */
  get lastStableOffset(): bigint {
    return this.txns.lastStableOffset(this._highWatermark, this._logEndOffset);
  }
  /** Aborted transactions with data in [fromOffset, upToOffset), for read_committed fetches. */
  abortedTransactions(fromOffset: bigint, upToOffset: bigint): AbortedTxn[] {
    return this.txns.abortedTransactions(fromOffset, upToOffset);
  }

  producerState(producerId: bigint): (ProducerStateEntry & { lastSequence: number }) | undefined {
    const e = this.producers.get(producerId);
    if (!e) return undefined;
    const last = e.batches[e.batches.length - 1];
    return { ...e, batches: e.batches.slice(), lastSequence: last ? last.lastSeq : -1 };
  }

  /** Wake-ups for long-poll fetches. Returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new LogClosedError(`log ${this.topic}-${this.partition} is closed`);
  }

  // ---------------------------------------------------------------- append

  append(records: Buffer, opts: AppendOptions = {}): AppendResult {
    this.checkOpen();
    const cfg = this.config;
    const now = opts.now ?? Date.now();
    const assign = opts.assignOffsets ?? true;
    const logAppend = assign && cfg.messageTimestampType === 'LogAppendTime';
    const logAppendTime = logAppend ? BigInt(now) : -1n;
    if (records.length === 0) {
      return {
        baseOffset: -1n,
        lastOffset: -1n,
        logAppendTime,
        logStartOffset: this._logStartOffset,
        durable: RESOLVED,
      };
    }
    if (records.length > cfg.segmentBytes) throw new RecordTooLargeError(records.length, cfg.segmentBytes);

    // Pass 1: validate everything before touching a byte, so a bad batch writes nothing.
    let next = this._logEndOffset;
    let firstBase = -1n;
    let firstMaxTs = -1n;
    let messages = 0;
    let txn: ProducerAppendTxn | null = null;
    let pos = 0;
    while (pos < records.length) {
      if (records.length - pos < LOG_OVERHEAD) {
        throw new CorruptRecordError('truncated', `${records.length - pos} trailing bytes after the last batch`, pos);
      }
      const view = new RecordBatchView(records, pos);
      try {
        validateBatch(view, { allowCompacted: !assign });
      } catch (err) {
        if (err instanceof InvalidRecordBatchError) {
          throw new CorruptRecordError(err.reason as CorruptReason, err.message, pos);
        }
        throw err;
      }
      const size = view.sizeInBytes;
      if (size > cfg.maxMessageBytes) throw new RecordTooLargeError(size, cfg.maxMessageBytes);
      if (assign && view.isControl) {
        throw new CorruptRecordError('control', 'clients may not write control batches', pos);
      }
      const base = assign ? next : view.baseOffset;
      if (base < next) {
        throw new CorruptRecordError('offset-range', `batch base offset ${base} is below the log end ${next}`, pos);
      }
      const last = base + BigInt(view.lastOffsetDelta);
      const maxTs = logAppend ? logAppendTime : view.maxTimestamp;
      if (firstBase < 0n) {
        firstBase = base;
        firstMaxTs = maxTs;
      }
      const pid = view.producerId;
      if (pid >= 0n) {
        txn ??= this.producers.begin();
        const info = {
          producerId: pid,
          epoch: view.producerEpoch,
          firstSeq: view.baseSequence,
          lastSeq: view.lastSequence,
          firstOffset: base,
          lastOffset: last,
          maxTimestamp: maxTs,
          isControl: view.isControl,
          isTransactional: view.isTransactional,
          controlType: controlTypeOf(view),
        };
        if (assign) txn.validate(info, logAppendTime);
        txn.apply(info);
      }
      messages += view.recordCount;
      next = last + 1n;
      pos += size;
    }

    // Pass 2: stamp offsets, epoch and LogAppendTime in place.
    if (assign || opts.leaderEpoch !== undefined) {
      let o = this._logEndOffset;
      for (let p = 0; p < records.length; ) {
        const view = new RecordBatchView(records, p);
        if (assign) {
          view.setBaseOffset(o);
          o += BigInt(view.lastOffsetDelta) + 1n;
          if (logAppend) view.setMaxTimestampAndLogAppendTime(logAppendTime);
        }
        if (opts.leaderEpoch !== undefined) view.setPartitionLeaderEpoch(opts.leaderEpoch);
        p += view.sizeInBytes;
      }
    }

    if (this.shouldRoll(records.length, firstMaxTs, now, next - 1n)) this.roll(firstBase);
    this.active.append(records);
    txn?.commit();
    this._logEndOffset = next;
    if (this.autoHighWatermark) this._highWatermark = next;

    const durable = this.afterAppend(messages, now);
    const result: AppendResult = {
      baseOffset: firstBase,
      lastOffset: next - 1n,
      logAppendTime,
      logStartOffset: this._logStartOffset,
      durable,
    };
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i]!();
      } catch (err) {
        this.logger.error({ err, topic: this.topic, partition: this.partition }, 'append listener failed');
      }
    }
    return result;
  }

  private afterAppend(messages: number, now: number): Promise<void> {
    if (this.dir === null) return RESOLVED;
    if (this.config.fsyncOnAppend) return this.requestSync();
    this.unflushedMessages += messages;
    if (this.unflushedMessages >= this.config.flushMessages) {
      this.track(this.flush());
    } else if (now - this.lastFlushMs >= this.config.flushMs && this.config.flushMs < Number.MAX_SAFE_INTEGER) {
      this.track(this.flush());
    }
    return RESOLVED;
  }

  /** Kafka's shouldRoll: size, segment.ms since the first batch, full index, relative offset overflow. */
  private shouldRoll(size: number, firstMaxTs: bigint, now: number, lastOffset: bigint): boolean {
    const seg = this.active;
    if (seg.isEmpty) return false;
    const cfg = this.config;
    if (seg.size + size > cfg.segmentBytes) return true;
    const waited =
      seg.firstBatchTimestamp >= 0n && firstMaxTs >= 0n
        ? Number(firstMaxTs - seg.firstBatchTimestamp)
        : now - seg.createdAtMs;
    if (waited > cfg.segmentMs) return true;
    if (seg.indexFull) return true;
    return lastOffset - seg.baseOffset > 0x7fffffffn;
  }

  /**
   * Starts a new active segment at the log end (at `baseOffset` when given: the first offset of
   * the append that triggered the roll). The old segment's indexes are written now; its fsync,
   * the directory fsync, the producer snapshot and the recovery point follow in the background.
   */
  roll(baseOffset?: bigint): void {
    this.checkOpen();
    const old = this.active;
    if (old.isEmpty) return;
    const base = baseOffset ?? this._logEndOffset;
    old.onBecomeInactive();
    const seg = Segment.create(this.dir, base, this.settings);
    this.segments.push(seg);
    const snapshot = this.producers.size > 0 ? this.producers.serialize() : null;
    if (this.dir === null) {
      if (snapshot) this.memSnapshots.set(base, snapshot);
      this.recoveryPoint = base;
      return;
    }
    const dir = this.dir;
    // Earlier rolls' syncs may still run: "below base is on disk" needs them done too.
    const earlier = [...this.background];
    this.track(
      (async () => {
        await old.flushAll();
        await fsyncDir(dir);
        if (snapshot) await writeFileAtomic(snapshotPath(dir, base), snapshot);
        await Promise.all(earlier);
        if (this.closed) return;
        this.markFlushed(base);
        if (base > this.recoveryPoint) this.recoveryPoint = base;
        await this.writeMeta();
        this.cleanSnapshots();
      })(),
    );
  }

  /** Group commit: every append that happened before the sync starts is covered by it. */
  private requestSync(): Promise<void> {
    if (this.pendingSync) return this.pendingSync;
    const run = async () => {
      await null; // let appends of this tick join this sync
      if (this.syncInFlight) await this.syncInFlight.catch(() => {});
      this.pendingSync = null;
      const p = this.flushNow();
      this.syncInFlight = p;
      try {
        await p;
      } finally {
        if (this.syncInFlight === p) this.syncInFlight = null;
      }
    };
    this.pendingSync = run();
    return this.pendingSync;
  }

  private async flushNow(): Promise<void> {
    const seg = this.active;
    const upTo = this._logEndOffset;
    this.unflushedMessages = 0;
    this.lastFlushMs = Date.now();
    // Rolls in progress flush the previous segment and the directory.
    await Promise.all([seg.flush(), ...this.background]);
    this.markFlushed(upTo);
  }

  private markFlushed(upTo: bigint): void {
    // A truncation during the sync may have cut below upTo.
    const o = upTo < this._logEndOffset ? upTo : this._logEndOffset;
    if (o > this._flushedOffset) this._flushedOffset = o;
  }

  /** fdatasync of everything appended so far. */
  async flush(): Promise<void> {
    if (this.dir === null || this.closed) return;
    await this.flushNow();
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => {
      if (!this.closed)
        this.logger.error({ err, topic: this.topic, partition: this.partition }, 'log background task failed');
    });
    this.background.add(q);
    void q.finally(() => this.background.delete(q));
  }

  // ---------------------------------------------------------------- reads

  /** Index of the segment that may hold `offset` (the last one with baseOffset <= offset). */
  private floorSegment(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  read(fromOffset: bigint, maxBytes: number, opts: ReadOptions = {}): ReadResult {
    this.checkOpen();
    const leo = this._logEndOffset;
    if (fromOffset < this._logStartOffset || fromOffset > leo) {
      throw new OffsetOutOfRangeError(fromOffset, this._logStartOffset, leo);
    }
    const out: ReadResult = {
      chunks: [],
      bytes: 0,
      logStartOffset: this._logStartOffset,
      logEndOffset: leo,
      highWatermark: this._highWatermark,
    };
    const collector: ReadCollector =
      opts.splitAt === undefined ? out : { chunks: out.chunks, bytes: 0, splitAt: opts.splitAt };
    let maxOffset = opts.maxOffset ?? leo;
    if (maxOffset > leo) maxOffset = leo;
    if (fromOffset >= maxOffset) return out;
    const minOne = opts.minOneBatch ?? true;
    let i = this.floorSegment(fromOffset);
    // The segment holding the offset (or the next one, after a compacted gap), then onwards.
    for (; i < this.segments.length; i++) {
      const r = this.segments[i]!.readFromOffset(fromOffset, maxBytes, maxOffset, minOne, collector);
      if (r === null) continue;
      if (r) {
        out.bytes = collector.bytes;
        return out;
      }
      break;
    }
    for (i++; i < this.segments.length; i++) {
      if (this.segments[i]!.readInto(0, maxBytes, maxOffset, minOne, collector)) break;
    }
    out.bytes = collector.bytes;
    return out;
  }

  /**
   * ListOffsets: -2 earliest, -1 latest, -3 the record with the largest timestamp, otherwise the
   * first record with timestamp >= ts. Null when nothing matches.
   */
  offsetForTimestamp(ts: bigint): TimestampOffset | null {
    this.checkOpen();
    if (ts === EARLIEST_TIMESTAMP) return { offset: this._logStartOffset, timestamp: -1n };
    if (ts === LATEST_TIMESTAMP) return { offset: this._logEndOffset, timestamp: -1n };
    if (ts === MAX_TIMESTAMP) {
      let best: Segment | null = null;
      for (const s of this.segments) if (!s.isEmpty && (!best || s.maxTimestamp > best.maxTimestamp)) best = s;
      if (!best || best.maxTimestamp < 0n) return null;
      const loc = best.locate(best.offsetOfMaxTimestamp);
      if (!loc) return null;
      return this.refineRecord(best, loc.pos, loc.size, best.maxTimestamp, true);
    }
    if (ts < 0n) return null;
    for (const s of this.segments) {
      if (s.isEmpty || s.maxTimestamp < ts) continue;
      // The batch found may hold only records below the log start: then try the next one.
      for (let loc = s.locateTimestamp(ts); loc; loc = s.locateTimestamp(ts, loc.pos + loc.size)) {
        const r = this.refineRecord(s, loc.pos, loc.size, ts, false);
        if (r) return r;
      }
    }
    return null;
  }

  /** Decodes one batch (off the hot path) to find the exact record for a timestamp lookup. */
  private refineRecord(seg: Segment, pos: number, size: number, ts: bigint, exact: boolean): TimestampOffset | null {
    const bytes = seg.batchBytes({ pos, size, baseOffset: 0n, lastOffset: 0n, maxTimestamp: 0n });
    const view = new RecordBatchView(bytes, 0);
    if (view.timestampType === TimestampType.LogAppendTime) {
      let off = view.baseOffset;
      if (off < this._logStartOffset) off = this._logStartOffset;
      return { offset: off, timestamp: view.maxTimestamp };
    }
    try {
      for (const r of decodeRecords(view)) {
        if (r.offset < this._logStartOffset) continue;
        if (exact ? r.timestamp === ts : r.timestamp >= ts) return { offset: r.offset, timestamp: r.timestamp };
      }
    } catch (err) {
      this.logger.warn(
        { err, topic: this.topic, partition: this.partition },
        'could not decode batch for timestamp lookup',
      );
      return { offset: view.baseOffset, timestamp: view.maxTimestamp };
    }
    return null;
  }

  // ---------------------------------------------------------------- maintenance

  /** Runs `fn` after every earlier maintenance task (retention, compaction, truncation…). */
  withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.lockTail.then(fn, fn);
    this.lockTail = run.catch(() => {});
    return run;
  }

  /** DeleteRecords: advances the log start (never past the high watermark). Returns the new low watermark. */
  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.withLock(async () => {
      this.checkOpen();
      const target = offset < 0n ? this._highWatermark : offset;
      if (target > this._highWatermark) {
        throw new OffsetOutOfRangeError(target, this._logStartOffset, this._highWatermark);
      }
      if (target > this._logStartOffset) {
        this._logStartOffset = target;
        this.producers.onLogStartOffsetIncremented(target);
        this.txns.pruneBelow(target);
        this.deleteSegmentsBelowStart();
        await this.writeMeta();
      }
      return this._logStartOffset;
    });
  }

  /** Drops whole segments below the log start offset. */
  private deleteSegmentsBelowStart(): number {
    let n = 0;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= this._logStartOffset) {
      this.deleteFirstSegment();
      n++;
    }
    if (this.segments.length === 1 && this.active.nextOffset <= this._logStartOffset && !this.active.isEmpty) {
      // Everything is below the start: replace the active segment by an empty one at the start.
      this.roll(this._logEndOffset);
      this.deleteFirstSegment();
      n++;
    }
    return n;
  }

  private deleteFirstSegment(): void {
    const seg = this.segments.shift()!;
    seg.deleteFiles();
    const first = this.segments[0]!;
    if (first.baseOffset > this._logStartOffset) {
      this._logStartOffset = first.baseOffset;
      this.producers.onLogStartOffsetIncremented(this._logStartOffset);
      this.txns.pruneBelow(this._logStartOffset);
    }
    if (this._highWatermark < this._logStartOffset) this._highWatermark = this._logStartOffset;
  }

  /**
   * retention.ms / retention.bytes (for policies with delete), plus whole segments below the
   * log start. Returns the number of segments deleted.
   */
  runRetention(now = Date.now()): Promise<number> {
    return this.withLock(async () => {
      if (this.closed) return 0;
      const cfg = this.config;
      let deleted = this.deleteSegmentsBelowStart();
      if (hasDeleteRetention(cfg)) {
        if (cfg.retentionMs >= 0) {
          deleted += this.deleteOldSegments((s) => now - this.segmentTimestamp(s) > cfg.retentionMs);
        }
        if (cfg.retentionBytes >= 0) {
          let excess = this.sizeInBytes - cfg.retentionBytes;
          deleted += this.deleteOldSegments((s) => {
            if (excess - s.size < 0) return false;
            excess -= s.size;
            return true;
          });
        }
      }
      this.producers.removeExpired(now, cfg.producerIdExpirationMs);
      if (deleted > 0) {
        this.logger.info({ topic: this.topic, partition: this.partition, deleted }, 'retention deleted segments');
        await this.writeMeta();
        this.cleanSnapshots();
      }
      return deleted;
    });
  }

  /** Largest record timestamp of a segment, or its file time when it has none (as Kafka). */
  private segmentTimestamp(s: Segment): number {
    const ts = s.maxTimestamp;
    if (ts >= 0n) return Number(ts);
    if (this.dir !== null) {
      try {
        return fs.statSync(s.paths.log).mtimeMs;
      } catch {}
    }
    return s.createdAtMs;
  }

  /**
   * Deletes segments from the oldest while `pred` holds; an expired active segment is rolled
   * first. Empty segments (left by compaction) go together with the next deleted one.
   */
  private deleteOldSegments(pred: (s: Segment) => boolean): number {
    let n = 0;
    let i = 0;
    while (i < this.segments.length) {
      const s = this.segments[i]!;
      if (s.isEmpty) {
        if (s === this.active) break;
        i++;
        continue;
      }
      if (!pred(s)) break;
      if (s === this.active) {
        this.roll();
        if (s === this.active) break;
      }
      for (let j = 0; j <= i; j++) {
        this.deleteFirstSegment();
        n++;
      }
      i = 0;
    }
    return n;
  }

  /** Removes every batch from the one containing `offset` on (replication's truncation). */
  truncateTo(offset: bigint): Promise<void> {
    return this.withLock(async () => {
      this.checkOpen();
      if (offset >= this._logEndOffset) return;
      if (offset < 0n) throw new InvalidOffsetError(`cannot truncate to ${offset}`);
      // Cutting the batch that holds the log start would leave the end below the start.
      const idx = this.floorSegment(offset);
      const cut = this.segments[idx]!.locate(offset);
      if (offset <= this._logStartOffset || (cut && cut.baseOffset <= this._logStartOffset)) {
        await this.truncateFullyAndStartAt(offset);
        return;
      }
      while (this.segments.length > 1 && this.active.baseOffset >= offset) {
        this.segments.pop()!.deleteFiles();
      }
      const seg = this.active;
      seg.truncateTo(offset);
      this.finishTruncation();
      await this.writeMeta();
    });
  }

  /** Drops everything and restarts the log empty at `offset`. */
  truncateFullyAndStartAt(offset: bigint): Promise<void> {
    const run = async () => {
      for (const s of this.segments) s.deleteFiles();
      this.segments = [Segment.create(this.dir, offset, this.settings)];
      this._logStartOffset = offset;
      // Nothing is left to sync below the new start.
      this._flushedOffset = offset;
      this.producers.clear();
      this.finishTruncation();
      await this.writeMeta();
    };
    return run();
  }

  private finishTruncation(): void {
    this._logEndOffset = this.active.nextOffset;
    if (this._highWatermark > this._logEndOffset) this._highWatermark = this._logEndOffset;
    if (this._highWatermark < this._logStartOffset) this._highWatermark = this._logStartOffset;
    if (this._flushedOffset > this._logEndOffset) this._flushedOffset = this._logEndOffset;
    if (this.recoveryPoint > this.active.baseOffset) this.recoveryPoint = this.active.baseOffset;
    if (this.cleanerCheckpoint > this._logEndOffset) this.cleanerCheckpoint = this.segments[0]!.baseOffset;
    // Snapshots past the new end describe batches that no longer exist.
    for (const off of this.snapshotOffsets()) if (off > this._logEndOffset) this.deleteSnapshot(off);
    this.rebuildProducerState();
  }

  // ---------------------------------------------------------------- producer snapshots

  /** @internal */
  snapshotOffsets(): bigint[] {
    if (this.dir === null) return [...this.memSnapshots.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {}
    return parseSnapshotNames(names);
  }

  private readSnapshot(offset: bigint): Buffer | null {
    if (this.dir === null) return this.memSnapshots.get(offset) ?? null;
    try {
      return fs.readFileSync(snapshotPath(this.dir, offset));
    } catch {
      return null;
    }
  }

  private deleteSnapshot(offset: bigint): void {
    if (this.dir === null) this.memSnapshots.delete(offset);
    else fs.rmSync(snapshotPath(this.dir, offset), { force: true });
  }

  /** Keeps the two newest snapshots at or above the first segment (older ones cannot be replayed). */
  private cleanSnapshots(): void {
    if (this.closed) return;
    const offs = this.snapshotOffsets();
    const firstBase = this.segments[0]!.baseOffset;
    for (let i = 0; i < offs.length; i++) {
      const o = offs[i]!;
      if (i < offs.length - 2 || o < firstBase) this.deleteSnapshot(o);
    }
  }

  /**
   * Producer state up to the log end: the newest usable snapshot, then a replay of the batch
   * headers after it (no record decoding).
   */
  rebuildProducerState(snapshotOffsets?: bigint[]): void {
    this.producers.clear();
    let from = this.segments[0]!.baseOffset;
    const offs = snapshotOffsets ?? this.snapshotOffsets();
    for (let i = offs.length - 1; i >= 0; i--) {
      const o = offs[i]!;
      if (o > this._logEndOffset) continue;
      const buf = this.readSnapshot(o);
      if (buf && this.producers.load(buf)) {
        from = o;
        break;
      }
    }
    if (from < this.segments[0]!.baseOffset) from = this.segments[0]!.baseOffset;
    this.replayProducers(from);
  }

  /** @internal replays producer batches with lastOffset >= from. */
  replayProducers(from: bigint): void {
    this.txns.truncateFrom(from);
    for (let i = this.floorSegment(from); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      for (const { buf } of seg.chunks()) {
        for (let p = 0; p + LOG_OVERHEAD <= buf.length; p += batchSize(buf, p)) {
          replayBatch(this.producers, buf, p, from);
        }
      }
    }
  }

  // ---------------------------------------------------------------- persistence

  /** @internal */
  metaObject(): PartitionMeta {
    return {
      version: 1,
      logStartOffset: this._logStartOffset.toString(),
      recoveryPoint: this.recoveryPoint.toString(),
      cleanerCheckpoint: this.cleanerCheckpoint.toString(),
      overrides: this.overrides,
    };
  }

  /** @internal serialised writes of partition.meta (on every change of what it holds). */
  writeMeta(): Promise<void> {
    if (this.dir === null) return RESOLVED;
    const file = path.join(this.dir, META_FILE);
    const data = JSON.stringify(this.metaObject());
    const run = this.metaChain.then(() => writeFileAtomic(file, data));
    this.metaChain = run.catch(() => {});
    return run;
  }

  /**
   * Flushes, writes the active segment's indexes and the producer snapshot, and closes the
   * files. Returns the state the manager stores in its clean-shutdown marker.
   */
  async close(): Promise<CleanState | null> {
    if (this.closed) return null;
    return this.withLock(async () => {
      await this.settle();
      let state: CleanState | null = null;
      if (this.dir !== null) {
        const seg = this.active;
        await seg.flush();
        seg.writeIndexFiles();
        let snap: string | null = null;
        if (this.producers.size > 0) {
          await writeFileAtomic(snapshotPath(this.dir, this._logEndOffset), this.producers.serialize(), false);
          snap = this._logEndOffset.toString();
        }
        state = {
          meta: this.metaObject(),
          segments: this.segments.map((s) => [s.baseOffset.toString(), s.size]),
          nextOffset: seg.nextOffset.toString(),
          maxTimestamp: seg.maxTimestamp.toString(),
          offsetOfMaxTimestamp: seg.offsetOfMaxTimestamp.toString(),
          firstBatchTimestamp: seg.firstBatchTimestamp.toString(),
          producerSnapshot: snap,
        };
      }
      this.closed = true;
      for (const s of this.segments) s.close();
      return state;
    });
  }

  /** Closes without the clean-shutdown work (for deletes and crash simulations). */
  closeNow(): void {
    this.closed = true;
    for (const s of this.segments) s.close();
  }

  /** @internal waits for background flushes, snapshot and meta writes. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    await this.metaChain;
  }

  /** @internal replaces segments [from, to) by `replacement` (compaction swap). */
  replaceSegments(from: number, to: number, replacement: Segment[]): Segment[] {
    const removed = this.segments.splice(from, to - from, ...replacement);
    return removed;
  }

  /** @internal */
  get segmentSettings(): SegmentSettings {
    return this.settings;
  }
  /** @internal */
  get log(): Logger {
    return this.logger;
  }
}

/** Producer replay of one stored batch at `p` in `buf`, skipping batches before `from`. */
export function replayBatch(producers: ProducerStateManager, buf: Buffer, p: number, from: bigint): void {
  const pid = batchProducerId(buf, p);
  if (pid < 0n) return;
  const last = batchLastOffset(buf, p);
  if (last < from) return;
  const view = new RecordBatchView(buf, p);
  producers.replay({
    producerId: pid,
    epoch: batchProducerEpoch(buf, p),
    firstSeq: batchBaseSequence(buf, p),
    lastSeq: view.lastSequence,
    firstOffset: batchBaseOffset(buf, p),
    lastOffset: last,
    maxTimestamp: batchMaxTimestamp(buf, p),
    isControl: view.isControl,
    isTransactional: view.isTransactional,
    controlType: controlTypeOf(view),
  });
}

export function parseSnapshotNames(names: string[]): bigint[] {
  const out: bigint[] = [];
  for (const n of names) {
    const m = /^(\d{20})\.snapshot$/.exec(n);
    if (m) out.push(BigInt(m[1]!));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
