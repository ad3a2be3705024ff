// Opening a partition directory. After a clean shutdown (the data dir's marker plus the state
// each log wrote at close) nothing is scanned. Otherwise every segment from the recovery point
// on is scanned batch by batch (length, magic, CRC, offsets), its indexes are rebuilt, and the
// log is cut at the first torn or corrupt batch, dropping any later segments.
import fs from 'node:fs';
import path from 'node:path';
import { LOG_OVERHEAD, RecordBatchView, scanBatches } from '@brook/protocol';
import { finishInterruptedSwap } from './compaction.js';
import { type LogConfig, resolveConfig } from './config.js';
import {
  type CleanState,
  type Logger,
  META_FILE,
  PartitionLog,
  type PartitionMeta,
  parseSnapshotNames,
  segmentSettings,
  snapshotPath,
} from './log.js';
import { ProducerStateManager } from './producer-state.js';
import { Segment } from './segment.js';

export interface OpenPartitionOptions {
  topic: string;
  partition: number;
  /** Partition directory; null for an in-memory log. */
  dir: string | null;
  defaultConfig?: Partial<LogConfig>;
  /** Overrides from create(); merged over the ones persisted in partition.meta. */
  overrides?: Partial<LogConfig>;
  /** The directory is known to exist (found by the manager's scan). */
  exists?: boolean;
  /** State from the clean-shutdown marker: open without reading the directory. */
  cleanState?: CleanState;
  logger: Logger;
  tailCacheBytes: number;
  autoHighWatermark: boolean;
}

const SCAN_CHUNK = 8 * 1024 * 1024;

export async function openPartitionLog(o: OpenPartitionOptions): Promise<PartitionLog> {
  const base = {
    topic: o.topic,
    partition: o.partition,
    dir: o.dir,
    logger: o.logger,
    tailCacheBytes: o.tailCacheBytes,
    autoHighWatermark: o.autoHighWatermark,
  };
  if (o.dir === null) {
    const config = resolveConfig(o.defaultConfig, o.overrides);
    return new PartitionLog({
      ...base,
      config,
      overrides: o.overrides ?? {},
      segments: [Segment.create(null, 0n, segmentSettings(config, o.tailCacheBytes))],
      logStartOffset: 0n,
      recoveryPoint: 0n,
      cleanerCheckpoint: 0n,
      producers: new ProducerStateManager(),
    });
  }
  const dir = o.dir;
  if (o.cleanState) return openClean(o, dir, o.cleanState);
  if (!o.exists) await fs.promises.mkdir(dir, { recursive: true });
  let names = await fs.promises.readdir(dir);
  if (names.some((n) => n === 'cleaning' || n === 'compaction.journal')) {
    await finishInterruptedSwap(dir, names, o.logger);
    names = await fs.promises.readdir(dir);
  }
  for (const n of names) {
    if (n.endsWith('.tmp') || n.endsWith('.deleted')) await fs.promises.rm(path.join(dir, n), { force: true });
  }
  let meta: PartitionMeta | null = null;
  if (names.includes(META_FILE)) {
    try {
      meta = JSON.parse(await fs.promises.readFile(path.join(dir, META_FILE), 'utf8')) as PartitionMeta;
    } catch (err) {
      o.logger.warn({ err, dir }, 'unreadable partition.meta; recovering from the segments');
    }
  }
  const overrides = { ...(meta?.overrides ?? {}), ...(o.overrides ?? {}) };
  const config = resolveConfig(o.defaultConfig, overrides);
  const settings = segmentSettings(config, o.tailCacheBytes);
  const bases = names
    .map((n) => /^(\d{20})\.log$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => BigInt(m[1]!))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const metaStart = meta ? BigInt(meta.logStartOffset) : 0n;
  const init = {
    ...base,
    config,
    overrides,
    logStartOffset: metaStart,
    recoveryPoint: meta ? BigInt(meta.recoveryPoint) : 0n,
    cleanerCheckpoint: meta ? BigInt(meta.cleanerCheckpoint) : 0n,
    producers: new ProducerStateManager(),
  };

  if (bases.length === 0) {
    const log = new PartitionLog({ ...init, segments: [Segment.create(dir, metaStart, settings)] });
    await fsyncDirQuiet(dir);
    await fsyncDirQuiet(path.dirname(dir));
    return log;
  }

  const sizes = await Promise.all(bases.map((b) => fs.promises.stat(segPath(dir, b)).then((s) => s.size)));
  const segments = bases.map((b, i) => Segment.existing(dir, b, sizes[i]!, settings));
  for (let i = 0; i + 1 < segments.length; i++) segments[i]!.nextOffset = segments[i + 1]!.baseOffset;

  // No clean shutdown: scan every segment from the recovery point on.
  const rp = init.recoveryPoint;
  let start = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= rp) start = i;
  let keep = segments.length;
  let sawProducers = false;
  for (let i = start; i < segments.length; i++) {
    const seg = segments[i]!;
    const r = await recoverSegment(seg, o.logger, i < segments.length - 1);
    sawProducers ||= r.sawProducers;
    if (r.cut) {
      keep = i + 1;
      break;
    }
  }
  for (const dropped of segments.splice(keep)) {
    o.logger.warn({ dir, baseOffset: dropped.baseOffset.toString() }, 'deleting segment after a corrupt batch');
    dropped.deleteFiles();
  }
  const log = new PartitionLog({
    ...init,
    segments,
    logStartOffset: maxBig(metaStart, segments[0]!.baseOffset),
    recoveryPoint: rp,
  });
  if (log.logStartOffset > log.logEndOffset) {
    // The log was cut below its recorded start (a torn tail after DeleteRecords): restart empty there.
    await log.truncateFullyAndStartAt(log.logStartOffset);
  }
  // Snapshots past the recovered end describe data that is gone.
  const snapshots: bigint[] = [];
  for (const off of parseSnapshotNames(names)) {
    if (off > log.logEndOffset) await fs.promises.rm(snapshotPath(dir, off), { force: true });
    else snapshots.push(off);
  }
  // Without snapshots, producers exist only if the scanned tail holds their batches
  // (any earlier producer batch would have produced a snapshot when its segment rolled).
  if (snapshots.length > 0 || sawProducers) log.rebuildProducerState(snapshots);
  return log;
}

/** Open after a clean shutdown: everything needed is in the marker; indexes load lazily. */
async function openClean(o: OpenPartitionOptions, dir: string, c: CleanState): Promise<PartitionLog> {
  const overrides = { ...c.meta.overrides, ...(o.overrides ?? {}) };
  const config = resolveConfig(o.defaultConfig, overrides);
  const settings = segmentSettings(config, o.tailCacheBytes);
  const segments = c.segments.map(([b, size]) => Segment.existing(dir, BigInt(b), size, settings));
  for (let i = 0; i + 1 < segments.length; i++) segments[i]!.nextOffset = segments[i + 1]!.baseOffset;
  segments[segments.length - 1]!.restoreState({
    nextOffset: BigInt(c.nextOffset),
    maxTimestamp: BigInt(c.maxTimestamp),
    offsetOfMaxTimestamp: BigInt(c.offsetOfMaxTimestamp),
    firstBatchTimestamp: BigInt(c.firstBatchTimestamp),
  });
  const producers = new ProducerStateManager();
  const log = new PartitionLog({
    topic: o.topic,
    partition: o.partition,
    dir,
    logger: o.logger,
    tailCacheBytes: o.tailCacheBytes,
    autoHighWatermark: o.autoHighWatermark,
    config,
    overrides,
    segments,
    logStartOffset: maxBig(BigInt(c.meta.logStartOffset), segments[0]!.baseOffset),
    recoveryPoint: BigInt(c.meta.recoveryPoint),
    cleanerCheckpoint: BigInt(c.meta.cleanerCheckpoint),
    producers,
  });
  if (c.producerSnapshot !== null) {
    let loaded = false;
    try {
      loaded = producers.load(await fs.promises.readFile(snapshotPath(dir, BigInt(c.producerSnapshot))));
    } catch {}
    if (!loaded) log.rebuildProducerState();
  }
  return log;
}

function segPath(dir: string, b: bigint): string {
  return path.join(dir, `${b.toString().padStart(20, '0')}.log`);
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

async function fsyncDirQuiet(dir: string): Promise<void> {
  try {
    const h = await fs.promises.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {}
}

export interface SegmentRecovery {
  validBytes: number;
  reason: string;
}

/**
 * Scans one segment file, rebuilding its indexes. Returns true when the file was cut short
 * (a torn or corrupt batch), meaning later segments cannot be trusted.
 */
export async function recoverSegment(
  seg: Segment,
  logger: Logger,
  writeIndexes: boolean,
): Promise<{ cut: boolean; sawProducers: boolean }> {
  const file = seg.paths.log;
  const size = seg.size;
  const fh = await fs.promises.open(file, 'r+');
  try {
    seg.resetIndexState();
    seg.nextOffset = seg.baseOffset;
    let pos = 0;
    let expectNext = seg.baseOffset;
    let chunk = SCAN_CHUNK;
    let reason = 'end';
    let validBytes = size;
    let sawProducers = false;
    const maxRel = seg.baseOffset + 0x7fffffffn;
    while (pos < size) {
      const len = Math.min(chunk, size - pos);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const data = bytesRead === len ? buf : buf.subarray(0, bytesRead);
      let bad = -1;
      let badReason = '';
      const res = scanBatches(data, (view) => {
        if (bad >= 0) return;
        const b = view.baseOffset;
        const delta = view.lastOffsetDelta;
        const count = view.recordCount;
        if (b < expectNext || delta < 0 || count < 0 || delta + 1 < count || b + BigInt(delta) > maxRel) {
          bad = view.pos;
          badReason = 'offsets';
          return;
        }
        const lastOff = b + BigInt(delta);
        if (view.producerId >= 0n) sawProducers = true;
        seg.indexBatch(pos + view.pos, b, lastOff, view.maxTimestamp, view.sizeInBytes);
        expectNext = lastOff + 1n;
      });
      if (bad >= 0) {
        validBytes = pos + bad;
        reason = badReason;
        break;
      }
      if (res.stop === 'end') {
        pos += data.length;
        chunk = SCAN_CHUNK;
        continue;
      }
      if (res.stop === 'truncated' && pos + data.length < size) {
        // A batch crosses the chunk end: continue from it, with a chunk big enough to hold it.
        const at = res.validBytes;
        const need = data.length - at >= LOG_OVERHEAD ? new RecordBatchView(data, at).sizeInBytes : 0;
        if (at === 0 && need <= data.length) {
          // No progress possible (the file changed under us): treat as torn here.
          validBytes = pos;
          reason = 'truncated';
          break;
        }
        chunk = Math.max(SCAN_CHUNK, need);
        pos += at;
        continue;
      }
      validBytes = pos + res.validBytes;
      reason = res.stop;
      break;
    }
    if (validBytes < size) {
      logger.warn({ file, size, validBytes, reason }, 'truncating torn or corrupt tail of segment during recovery');
      await fh.truncate(validBytes);
      await fh.datasync();
    }
    seg.setSize(validBytes);
    // The active segment's indexes live in memory until it rolls or the log closes.
    if (writeIndexes) seg.writeIndexFiles();
    return { cut: validBytes < size, sawProducers };
  } finally {
    await fh.close();
  }
}
