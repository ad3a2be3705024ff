// Log compaction for cleanup.policy=compact (and compact,delete), after Kafka's LogCleaner:
// over the inactive segments old enough for min.compaction.lag.ms, keep the newest record per
// key (offsets preserved), drop tombstones older than delete.retention.ms, and swap the
// rewritten segments in. Runs under the log's maintenance lock, yielding between chunks, so
// appends (which only touch the active segment) are never blocked.
//
// Crash safety: cleaned files are written and fsynced in <dir>/cleaning/, then a journal names
// the segments being replaced, then the swap renames files. On open, finishInterruptedSwap
// completes a journaled swap or discards an unjournaled one.
import fs from 'node:fs';
import path from 'node:path';
import { type DecodedRecord, decodeRecords, iterateBatches, type RecordBatchView, rebuildBatch } from '@brook/protocol';
import { isCompacted } from './config.js';
import { fsyncDir, type Logger, type PartitionLog, writeFileAtomic } from './log.js';
import { Segment, segmentPaths } from './segment.js';

const JOURNAL = 'compaction.journal';
const CLEANING_DIR = 'cleaning';

export interface CompactionOptions {
  now?: number;
  /** Ignore min.cleanable.dirty.ratio (tests, admin). */
  force?: boolean;
  /** Tests only: throw at this point as if the process died there. */
  crashAt?: 'before-journal' | 'after-journal' | 'mid-swap';
}

export class SimulatedCrash extends Error {}

export interface CompactionResult {
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
}

interface Journal {
  replaced: string[];
  /** Base offsets of the cleaned segments to move in from cleaning/. */
  cleaned: string[];
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Compacts the cleanable part of a log. Null when there is nothing worth doing. */
export function compactLog(log: PartitionLog, opts: CompactionOptions = {}): Promise<CompactionResult | null> {
  return log.withLock(async () => {
    if (log.isClosed || !isCompacted(log.config) || log.compacting) return null;
    log.compacting = true;
    try {
      return await compactLocked(log, opts);
    } finally {
      log.compacting = false;
    }
  });
}

async function compactLocked(log: PartitionLog, opts: CompactionOptions): Promise<CompactionResult | null> {
  const now = opts.now ?? Date.now();
  const cfg = log.config;
  const segs = log.segments;
  // Cleanable: inactive, below the high watermark, older than the compaction lag.
  let k = 0;
  while (k < segs.length - 1) {
    const s = segs[k]!;
    const next = segs[k + 1]!;
    if (next.baseOffset > log.highWatermark) break;
    if (cfg.minCompactionLagMs > 0 && !s.isEmpty && Number(s.maxTimestamp) > now - cfg.minCompactionLagMs) break;
    k++;
  }
  if (k === 0) return null;
  const range = segs.slice(0, k);
  const endOffset = segs[k]!.baseOffset;
  let total = 0;
  let dirty = 0;
  let firstDirty = range.length;
  for (let i = 0; i < range.length; i++) {
    const s = range[i]!;
    total += s.size;
    if (s.nextOffset > log.cleanerCheckpoint) {
      dirty += s.size;
      if (firstDirty === range.length) firstDirty = i;
    }
  }
  if (!opts.force && (total === 0 || dirty / total < cfg.minCleanableDirtyRatio)) return null;

  // 1. Newest offset per key over the dirty segments.
  const latest = new Map<string, number>();
  for (let i = firstDirty; i < range.length; i++) {
    for (const { buf } of range[i]!.chunks()) {
      for (const view of iterateBatches(buf)) {
        if (view.isControl) continue;
        for (const r of decodeRecords(view)) {
          if (r.key) latest.set(r.key.toString('latin1'), Number(r.offset));
        }
      }
      await yieldToLoop();
    }
  }

  // 2. Rewrite in groups that fit one segment, into cleaning/.
  const dir = log.dir;
  const cleaningDir = dir === null ? null : path.join(dir, CLEANING_DIR);
  if (cleaningDir) {
    await fs.promises.rm(cleaningDir, { recursive: true, force: true });
    await fs.promises.mkdir(cleaningDir);
  }
  const deleteHorizon = BigInt(now - cfg.deleteRetentionMs);
  const stats = { recordsRemoved: 0, tombstonesRemoved: 0 };
  const groups = groupSegments(range, cfg.segmentBytes, endOffset);
  const cleaned: Segment[] = [];
  for (const g of groups) {
    const out = Segment.create(cleaningDir, g[0]!.baseOffset, log.segmentSettings);
    for (const s of g) {
      for (const { buf } of s.chunks()) {
        const kept: Buffer[] = [];
        for (const view of iterateBatches(buf)) {
          const b = filterBatch(view, latest, deleteHorizon, stats);
          if (b) kept.push(b);
        }
        if (kept.length > 0) out.append(kept.length === 1 ? kept[0]! : Buffer.concat(kept));
        await yieldToLoop();
      }
    }
    out.onBecomeInactive();
    if (cleaningDir) await out.flushAll();
    cleaned.push(out);
  }

  // 3. Swap, group by group order is irrelevant: one journal covers the whole range.
  const bytesBefore = total;
  // Empty groups vanish, except the first: its base offset anchors the log start on reopen.
  const kept = cleaned.filter((s, i) => i === 0 || !s.isEmpty);
  if (dir !== null && cleaningDir !== null) {
    for (const s of cleaned) s.close();
    for (const s of cleaned) if (!kept.includes(s)) s.deleteFiles();
    const journal: Journal = {
      replaced: range.map((s) => s.baseOffset.toString()),
      cleaned: kept.map((s) => s.baseOffset.toString()),
    };
    await fsyncDir(cleaningDir);
    if (opts.crashAt === 'before-journal') throw new SimulatedCrash('before-journal');
    await writeFileAtomic(path.join(dir, JOURNAL), JSON.stringify(journal));
    await fsyncDir(dir);
    if (opts.crashAt === 'after-journal') throw new SimulatedCrash('after-journal');
  }
  // From here to the in-memory swap everything is synchronous: readers never see a half swap.
  if (dir !== null) {
    for (const s of range) s.close();
    applySwapSync(
      dir,
      range.map((s) => s.baseOffset),
      kept.map((s) => s.baseOffset),
      opts.crashAt === 'mid-swap',
    );
  }
  const replacement = kept.map((s) =>
    dir === null ? s : Segment.existing(dir, s.baseOffset, s.size, log.segmentSettings),
  );
  for (let i = 0; i < replacement.length; i++) {
    const next = replacement[i + 1]?.baseOffset ?? endOffset;
    replacement[i]!.nextOffset = next;
  }
  log.replaceSegments(0, k, replacement);
  log.cleanerCheckpoint = endOffset;
  if (dir !== null) {
    await fsyncDir(dir);
    // Leftovers go before the journal: without a journal, .deleted files are always garbage.
    await removeLeftovers(dir);
    await fs.promises.rm(path.join(dir, JOURNAL), { force: true });
    await log.writeMeta();
  }
  const bytesAfter = kept.reduce((n, s) => n + s.size, 0);
  log.log.info(
    { topic: log.topic, partition: log.partition, bytesBefore, bytesAfter, ...stats },
    'compacted log segments',
  );
  return {
    segmentsBefore: range.length,
    segmentsAfter: kept.length,
    bytesBefore,
    bytesAfter,
    ...stats,
  };
}

/** Consecutive segments whose total size fits one segment and whose offsets fit a relative index. */
function groupSegments(segs: Segment[], maxBytes: number, endOffset: bigint): Segment[][] {
  const groups: Segment[][] = [];
  let cur: Segment[] = [];
  let size = 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const next = segs[i + 1]?.baseOffset ?? endOffset;
    const first = cur[0];
    const fits = first && size + s.size <= maxBytes && next - 1n - first.baseOffset <= 0x7fffffffn;
    if (first && !fits) {
      groups.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(s);
    size += s.size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** The batch with only the records worth keeping: the same bytes when all stay, null when none do. */
function filterBatch(
  view: RecordBatchView,
  latest: Map<string, number>,
  deleteHorizon: bigint,
  stats: { recordsRemoved: number; tombstonesRemoved: number },
): Buffer | null {
  if (view.isControl) return view.bytes;
  const records = decodeRecords(view);
  const retained: DecodedRecord[] = [];
  for (const r of records) {
    if (!r.key) {
      stats.recordsRemoved++;
      continue;
    }
    const newest = latest.get(r.key.toString('latin1'));
    if (newest !== undefined && newest > Number(r.offset)) {
      stats.recordsRemoved++;
      continue;
    }
    if (r.value === null && r.timestamp < deleteHorizon) {
      stats.tombstonesRemoved++;
      continue;
    }
    retained.push(r);
  }
  if (retained.length === records.length) return view.bytes;
  if (retained.length === 0) return null;
  // Keep the original offset range so producer sequence numbers stay consistent.
  return rebuildBatch(view, retained, { compression: view.compression, lastOffsetDelta: view.lastOffsetDelta });
}

/**
 * The rename step: old files become .deleted, cleaned files move in. The cleaned .log moves
 * last, so "cleaning/<base>.log still exists" means the swap of that segment has not happened.
 */
function applySwapSync(dir: string, replaced: bigint[], cleaned: bigint[], crashMidway = false): void {
  const cleaningDir = path.join(dir, CLEANING_DIR);
  for (const b of replaced) {
    const p = segmentPaths(dir, b);
    for (const f of [p.log, p.index, p.timeIndex]) {
      try {
        fs.renameSync(f, `${f}.deleted`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
  if (crashMidway) throw new SimulatedCrash('mid-swap');
  for (const b of cleaned) {
    const from = segmentPaths(cleaningDir, b);
    const to = segmentPaths(dir, b);
    fs.renameSync(from.index, to.index);
    fs.renameSync(from.timeIndex, to.timeIndex);
    fs.renameSync(from.log, to.log);
  }
}

async function removeLeftovers(dir: string): Promise<void> {
  await fs.promises.rm(path.join(dir, CLEANING_DIR), { recursive: true, force: true });
  for (const n of await fs.promises.readdir(dir)) {
    if (n.endsWith('.deleted')) await fs.promises.rm(path.join(dir, n), { force: true });
  }
}

/** On open: finish a journaled swap, or throw away an unfinished cleaning (old segments are intact). */
export async function finishInterruptedSwap(dir: string, names: string[], logger: Logger): Promise<void> {
  if (names.includes(JOURNAL)) {
    const journal = JSON.parse(await fs.promises.readFile(path.join(dir, JOURNAL), 'utf8')) as Journal;
    const cleaningDir = path.join(dir, CLEANING_DIR);
    const pending = new Set(journal.cleaned.filter((b) => fs.existsSync(segmentPaths(cleaningDir, BigInt(b)).log)));
    for (const b of journal.replaced) {
      // A cleaned segment already moved in carries the same name as the first one it replaced.
      if (journal.cleaned.includes(b) && !pending.has(b)) continue;
      const p = segmentPaths(dir, BigInt(b));
      for (const f of [p.log, p.index, p.timeIndex]) await fs.promises.rm(f, { force: true });
    }
    for (const b of pending) {
      const from = segmentPaths(cleaningDir, BigInt(b));
      const to = segmentPaths(dir, BigInt(b));
      for (const [a, z] of [
        [from.index, to.index],
        [from.timeIndex, to.timeIndex],
        [from.log, to.log],
      ] as const) {
        if (fs.existsSync(a)) await fs.promises.rename(a, z);
      }
    }
    logger.warn({ dir, journal }, 'completed an interrupted compaction swap');
    await removeLeftovers(dir);
    await fsyncDir(dir);
    await fs.promises.rm(path.join(dir, JOURNAL), { force: true });
  } else {
    await removeLeftovers(dir);
  }
}
