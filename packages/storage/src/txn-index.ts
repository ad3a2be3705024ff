// Transactions in one partition, after Kafka's ProducerStateManager (ongoing transactions, last
// stable offset) and TransactionIndex (aborted transactions, for read_committed fetches).
//
// Ongoing transactions live in the producer state (ProducerStateEntry.currentTxnFirstOffset, carried
// by the producer snapshots), so they survive restarts with it. Aborted transactions are kept in
// memory in completion order and persisted in `aborted.txnindex` with Kafka's 34-byte entries:
//   version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
// Recovery replays the log tail after the producer snapshot through the same hook, after dropping the
// entries at or after the replay start (truncateFrom), so a torn tail leaves no stale entries.
import fs from 'node:fs';
import path from 'node:path';
import { buildControlBatch, controlBatchType, type RecordBatchView } from '@brook/protocol';
import type { AppendResult, PartitionLog } from './log.js';
import type { ProducerStateEntry, ProducerStateManager } from './producer-state.js';

export const TXN_INDEX_FILE = 'aborted.txnindex';
export const ABORTED_TXN_ENTRY_SIZE = 34;

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: bigint;
  lastOffset: bigint;
  /** The partition's last stable offset right after the abort marker. */
  lastStableOffset: bigint;
}

/** A transaction of one producer ended by a control batch at `lastOffset`. */
export interface CompletedTxn {
  producerId: bigint;
  firstOffset: bigint;
  lastOffset: bigint;
  aborted: boolean;
}

/** The marker type of a control batch, or null (not a control batch, or an unknown control type). */
export function controlTypeOf(view: RecordBatchView): 'commit' | 'abort' | null {
  if (!view.isControl) return null;
  try {
    return controlBatchType(view);
  } catch {
    return null;
  }
}

/**
 * Transaction bookkeeping of one batch applied to its producer's entry: the first transactional batch
 * opens the transaction, a control batch closes it. Returns the completed transaction, if any.
 */
export function applyTxnBatch(
  e: ProducerStateEntry,
  b: {
    isControl: boolean;
    isTransactional?: boolean;
    controlType?: 'commit' | 'abort' | null;
    firstOffset: bigint;
    lastOffset: bigint;
  },
): CompletedTxn | null {
  if (b.isControl) {
    const first = e.currentTxnFirstOffset;
    e.currentTxnFirstOffset = -1n;
    if (first < 0n || (b.controlType !== 'abort' && b.controlType !== 'commit')) return null;
    return {
      producerId: e.producerId,
      firstOffset: first,
      lastOffset: b.lastOffset,
      aborted: b.controlType === 'abort',
    };
  }
  if (b.isTransactional && e.currentTxnFirstOffset < 0n) e.currentTxnFirstOffset = b.firstOffset;
  return null;
}

/**
 * Appends a transaction marker (Kafka's WriteTxnMarkers on the leader): one control batch at the log
 * end, with the coordinator's epochs. Producer checks are the coordinator's job, as in Kafka.
 */
export function appendTxnMarker(
  log: PartitionLog,
  type: 'commit' | 'abort',
  producerId: bigint,
  producerEpoch: number,
  coordinatorEpoch: number,
  now = Date.now(),
  leaderEpoch?: number,
): AppendResult {
  const batch = buildControlBatch(type, producerId, producerEpoch, coordinatorEpoch, now, {
    baseOffset: log.logEndOffset,
  });
  return log.append(batch, { now, assignOffsets: false, ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) });
}

export class TxnIndex {
  /** Aborted transactions in completion (lastOffset) order. */
  private aborted: AbortedTxn[] = [];
  private readonly file: string | null;
  private cacheLeo = -1n;
  private cacheSize = -1;
  private cached: bigint | null = null;

  constructor(
    dir: string | null,
    private readonly producers: ProducerStateManager,
  ) {
    this.file = dir === null ? null : path.join(dir, TXN_INDEX_FILE);
    producers.onTxnComplete = (c) => this.onComplete(c);
    this.load();
  }

  /**
   * First offset of the oldest ongoing transaction, or null when none is open. With the log end offset
   * the answer is cached until the log end or the number of producers changes (every producer-state
   * change comes with one or the other, or with a replay, which clears the cache), so fetches do not
   * walk every producer of the partition.
   */
  firstUnstableOffset(logEndOffset?: bigint): bigint | null {
    const size = this.producers.size;
    if (logEndOffset !== undefined && logEndOffset === this.cacheLeo && size === this.cacheSize) return this.cached;
    let min: bigint | null = null;
    for (const e of this.producers.entries()) {
      const f = e.currentTxnFirstOffset;
      if (f >= 0n && (min === null || f < min)) min = f;
    }
    if (logEndOffset !== undefined) {
      this.cacheLeo = logEndOffset;
      this.cacheSize = size;
      this.cached = min;
    }
    return min;
  }

  /** Kafka's LSO: below it every transaction is decided; min(first unstable offset, high watermark). */
  lastStableOffset(highWatermark: bigint, logEndOffset?: bigint): bigint {
    const f = this.firstUnstableOffset(logEndOffset);
    return f !== null && f < highWatermark ? f : highWatermark;
  }

  /** Open transactions: producer id → first offset. */
  ongoing(): Map<bigint, bigint> {
    const out = new Map<bigint, bigint>();
    for (const e of this.producers.entries()) {
      if (e.currentTxnFirstOffset >= 0n) out.set(e.producerId, e.currentTxnFirstOffset);
    }
    return out;
  }

  /**
   * Aborted transactions whose data may lie in [fromOffset, upToOffset): ended at or after fromOffset
   * and started before upToOffset (Kafka's collectAbortedTxns).
   */
  abortedTransactions(fromOffset: bigint, upToOffset: bigint): AbortedTxn[] {
    const a = this.aborted;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]!.lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    const out: AbortedTxn[] = [];
    for (let i = lo; i < a.length; i++) {
      const t = a[i]!;
      if (t.firstOffset < upToOffset) out.push(t);
      // Every later transaction completed after the LSO passed upToOffset, so it started after it too.
      if (t.lastStableOffset >= upToOffset) break;
    }
    return out;
  }

  /** All aborted entries (tests, tools). */
  allAborted(): readonly AbortedTxn[] {
    return this.aborted;
  }

  /** Forgets entries that end at or after `offset` (truncation, or before a replay from there). */
  truncateFrom(offset: bigint): void {
    this.cacheLeo = -1n;
    const keep = this.aborted.filter((t) => t.lastOffset < offset);
    if (keep.length === this.aborted.length) return;
    this.aborted = keep;
    this.rewrite();
  }

  /** Drops entries wholly below the log start (retention). */
  pruneBelow(logStartOffset: bigint): void {
    const keep = this.aborted.filter((t) => t.lastOffset >= logStartOffset);
    if (keep.length === this.aborted.length) return;
    this.aborted = keep;
    this.rewrite();
  }

  private onComplete(c: CompletedTxn): void {
    this.cacheLeo = -1n;
    if (!c.aborted) return;
    // A replayed or re-appended marker replaces whatever was recorded at or after it.
    const stale = this.aborted.length > 0 && this.aborted[this.aborted.length - 1]!.lastOffset >= c.lastOffset;
    if (stale) this.aborted = this.aborted.filter((t) => t.lastOffset < c.lastOffset);
    const f = this.firstUnstableOffset();
    const lso = f !== null && f <= c.lastOffset ? f : c.lastOffset + 1n;
    const entry: AbortedTxn = {
      producerId: c.producerId,
      firstOffset: c.firstOffset,
      lastOffset: c.lastOffset,
      lastStableOffset: lso,
    };
    this.aborted.push(entry);
    if (stale) this.rewrite();
    else if (this.file !== null) fs.appendFileSync(this.file, encodeEntry(entry));
  }

  private load(): void {
    if (this.file === null) return;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const out: AbortedTxn[] = [];
    // A torn last entry (crash mid-write) is ignored; the replay after the snapshot restores it.
    for (let p = 0; p + ABORTED_TXN_ENTRY_SIZE <= buf.length; p += ABORTED_TXN_ENTRY_SIZE) {
      if (buf.readInt16BE(p) !== 0) break;
      out.push({
        producerId: buf.readBigInt64BE(p + 2),
        firstOffset: buf.readBigInt64BE(p + 10),
        lastOffset: buf.readBigInt64BE(p + 18),
        lastStableOffset: buf.readBigInt64BE(p + 26),
      });
    }
    out.sort((x, y) => (x.lastOffset < y.lastOffset ? -1 : x.lastOffset > y.lastOffset ? 1 : 0));
    this.aborted = out;
  }

  private rewrite(): void {
    if (this.file === null) return;
    const buf = Buffer.concat(this.aborted.map(encodeEntry));
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, this.file);
  }
}

function encodeEntry(t: AbortedTxn): Buffer {
  const b = Buffer.allocUnsafe(ABORTED_TXN_ENTRY_SIZE);
  b.writeInt16BE(0, 0);
  b.writeBigInt64BE(t.producerId, 2);
  b.writeBigInt64BE(t.firstOffset, 10);
  b.writeBigInt64BE(t.lastOffset, 18);
  b.writeBigInt64BE(t.lastStableOffset, 26);
  return b;
}
