// Idempotent-producer state per partition, after Kafka's ProducerStateManager: for each
// producer id, its epoch and the metadata of its last 5 batches (for duplicate detection).
// Rebuilt on open from a snapshot file plus a replay of the log after it.
// Transactions will add coordinatorEpoch / currentTxnFirstOffset handling; the fields and the
// snapshot format already carry them so that change is additive.
import { crc32c, NO_PRODUCER_EPOCH, NO_SEQUENCE } from '@brook/protocol';
import { DuplicateSequenceError, InvalidProducerEpochError, OutOfOrderSequenceError } from './errors.js';
import { applyTxnBatch, type CompletedTxn } from './txn-index.js';

/** Kafka keeps the last 5 batches per producer: max.in.flight.requests.per.connection for idempotence. */
export const NUM_BATCHES_TO_RETAIN = 5;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
  timestamp: bigint;
}

export interface ProducerStateEntry {
  producerId: bigint;
  epoch: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  /** First offset of the open transaction, -1n when none (transactions: later). */
  currentTxnFirstOffset: bigint;
}

/** What the append path needs of one batch. */
export interface ProducerBatchInfo {
  producerId: bigint;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  firstOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  isControl: boolean;
  /** Transactions (txn-index.ts): a transactional batch opens its producer's transaction, a marker closes it. */
  isTransactional?: boolean;
  controlType?: 'commit' | 'abort' | null;
}

export function lastSequenceOf(e: ProducerStateEntry): number {
  const b = e.batches[e.batches.length - 1];
  return b ? b.lastSeq : NO_SEQUENCE;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === 0x7fffffff);
}

/** The entry of a producer id first seen with batch `b`: no batches, no open transaction yet. */
function newEntry(b: ProducerBatchInfo): ProducerStateEntry {
  return {
    producerId: b.producerId,
    epoch: b.epoch,
    batches: [],
    lastTimestamp: -1n,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: -1n,
  };
}

function cloneEntry(e: ProducerStateEntry): ProducerStateEntry {
  return { ...e, batches: e.batches.slice() };
}

/** Updates staged by one append call, committed only once its bytes are written. */
export class ProducerAppendTxn {
  readonly updates = new Map<bigint, ProducerStateEntry>();
  private readonly completed: CompletedTxn[] = [];
  constructor(private readonly mgr: ProducerStateManager) {}

  current(pid: bigint): ProducerStateEntry | undefined {
    return this.updates.get(pid) ?? this.mgr.get(pid);
  }

  /**
   * Kafka's checks for a client append: a retry of one of the last 5 batches → DuplicateSequenceError;
   * an older epoch → InvalidProducerEpochError; a gap → OutOfOrderSequenceError; a new epoch must
   * start at sequence 0 unless the producer is unknown (its state expired or was deleted, in which
   * case any sequence is accepted, as Kafka does since KIP-360).
   */
  validate(b: ProducerBatchInfo, logAppendTime: bigint): void {
    const entry = this.current(b.producerId);
    if (entry && entry.epoch === b.epoch) {
      for (const m of entry.batches) {
        if (m.firstSeq === b.firstSeq && m.lastSeq === b.lastSeq) {
          // The stored timestamp is the original LogAppendTime when the topic uses it.
          throw new DuplicateSequenceError(
            b.producerId,
            m.firstOffset,
            m.lastOffset,
            logAppendTime >= 0n ? m.timestamp : -1n,
          );
        }
      }
    }
    const currentEpoch = entry ? entry.epoch : NO_PRODUCER_EPOCH;
    if (entry && b.epoch < currentEpoch) {
      throw new InvalidProducerEpochError(
        `producer ${b.producerId} epoch ${b.epoch} is older than the current epoch ${currentEpoch}`,
      );
    }
    if (b.isControl) return;
    if (b.epoch !== currentEpoch) {
      if (b.firstSeq !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
        throw new OutOfOrderSequenceError(
          `invalid sequence ${b.firstSeq} for new epoch ${b.epoch} of producer ${b.producerId} (current epoch ${currentEpoch}); a new epoch starts at 0`,
        );
      }
    } else {
      const last = entry ? lastSequenceOf(entry) : NO_SEQUENCE;
      if (!inSequence(last, b.firstSeq)) {
        throw new OutOfOrderSequenceError(
          `out of order sequence for producer ${b.producerId}: got ${b.firstSeq}, expected ${last + 1}`,
        );
      }
    }
  }

  /** Stages the batch into the producer's entry. */
  apply(b: ProducerBatchInfo): void {
    const cur = this.current(b.producerId);
    const next: ProducerStateEntry = cur ? (this.updates.has(b.producerId) ? cur : cloneEntry(cur)) : newEntry(b);
    const done = applyBatch(next, b);
    if (done) this.completed.push(done);
    this.updates.set(b.producerId, next);
  }

  commit(): void {
    for (const [pid, e] of this.updates) this.mgr.put(pid, e);
    for (const c of this.completed) this.mgr.onTxnComplete?.(c);
  }
}

function applyBatch(e: ProducerStateEntry, b: ProducerBatchInfo): CompletedTxn | null {
  if (b.epoch !== e.epoch) {
    e.epoch = b.epoch;
    e.batches = [];
  }
  if (!b.isControl && b.firstSeq !== NO_SEQUENCE) {
    e.batches.push({
      firstSeq: b.firstSeq,
      lastSeq: b.lastSeq,
      firstOffset: b.firstOffset,
      lastOffset: b.lastOffset,
      timestamp: b.maxTimestamp,
    });
    if (e.batches.length > NUM_BATCHES_TO_RETAIN) e.batches.shift();
  }
  if (b.maxTimestamp > e.lastTimestamp) e.lastTimestamp = b.maxTimestamp;
  return applyTxnBatch(e, b);
}

export class ProducerStateManager {
  private producers = new Map<bigint, ProducerStateEntry>();
  /** Told of every transaction a marker ends (the partition's TxnIndex). */
  onTxnComplete: ((c: CompletedTxn) => void) | null = null;

  get(pid: bigint): ProducerStateEntry | undefined {
    return this.producers.get(pid);
  }
  put(pid: bigint, e: ProducerStateEntry): void {
    this.producers.set(pid, e);
  }
  get size(): number {
    return this.producers.size;
  }
  entries(): IterableIterator<ProducerStateEntry> {
    return this.producers.values();
  }
  clear(): void {
    this.producers.clear();
  }

  begin(): ProducerAppendTxn {
    return new ProducerAppendTxn(this);
  }

  /** Replays a stored batch (recovery, replication): no validation, like Kafka's replica appends. */
  replay(b: ProducerBatchInfo): void {
    let e = this.producers.get(b.producerId);
    if (!e) {
      e = newEntry(b);
      this.producers.set(b.producerId, e);
    }
    const done = applyBatch(e, b);
    if (done) this.onTxnComplete?.(done);
  }

  /** Forgets producers idle for longer than the expiration (producer.id.expiration.ms). */
  removeExpired(nowMs: number, expirationMs: number): number {
    let n = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0n && nowMs - Number(e.lastTimestamp) >= expirationMs) {
        this.producers.delete(pid);
        n++;
      }
    }
    return n;
  }

  /** Log start moved (retention, DeleteRecords): forget producers whose last batch is gone. */
  onLogStartOffsetIncremented(logStart: bigint): void {
    for (const [pid, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      if (last && last.lastOffset < logStart) this.producers.delete(pid);
    }
  }

  /** Truncation: forget batches at or after `offset` (callers usually rebuild from a snapshot instead). */
  truncateFrom(offset: bigint): void {
    for (const [pid, e] of this.producers) {
      e.batches = e.batches.filter((m) => m.lastOffset < offset);
      if (e.batches.length === 0) this.producers.delete(pid);
    }
  }

  // Snapshot format: "BPS1" | crc32c(uint32, of everything after it) | count int32 | entries…
  // entry: pid int64 | epoch int16 | lastTimestamp int64 | coordinatorEpoch int32 |
  //        currentTxnFirstOffset int64 | nBatches int8 | nBatches × (firstSeq int32 | lastSeq int32 |
  //        firstOffset int64 | lastOffset int64 | timestamp int64)
  serialize(): Buffer {
    let size = 12;
    for (const e of this.producers.values()) size += 31 + e.batches.length * 32;
    const buf = Buffer.allocUnsafe(size);
    buf.write('BPS1', 0, 'latin1');
    buf.writeInt32BE(this.producers.size, 8);
    let p = 12;
    for (const e of this.producers.values()) {
      buf.writeBigInt64BE(e.producerId, p);
      buf.writeInt16BE(e.epoch, p + 8);
      buf.writeBigInt64BE(e.lastTimestamp, p + 10);
      buf.writeInt32BE(e.coordinatorEpoch, p + 18);
      buf.writeBigInt64BE(e.currentTxnFirstOffset, p + 22);
      buf.writeInt8(e.batches.length, p + 30);
      p += 31;
      for (const m of e.batches) {
        buf.writeInt32BE(m.firstSeq, p);
        buf.writeInt32BE(m.lastSeq, p + 4);
        buf.writeBigInt64BE(m.firstOffset, p + 8);
        buf.writeBigInt64BE(m.lastOffset, p + 16);
        buf.writeBigInt64BE(m.timestamp, p + 24);
        p += 32;
      }
    }
    buf.writeUInt32BE(crc32c(buf, 8), 4);
    return buf;
  }

  /** Loads a snapshot; returns false (and leaves the state empty) when it is damaged. */
  load(buf: Buffer): boolean {
    this.producers.clear();
    try {
      if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'BPS1') return false;
      if (buf.readUInt32BE(4) !== crc32c(buf, 8)) return false;
      const count = buf.readInt32BE(8);
      let p = 12;
      for (let i = 0; i < count; i++) {
        const e: ProducerStateEntry = {
          producerId: buf.readBigInt64BE(p),
          epoch: buf.readInt16BE(p + 8),
          lastTimestamp: buf.readBigInt64BE(p + 10),
          coordinatorEpoch: buf.readInt32BE(p + 18),
          currentTxnFirstOffset: buf.readBigInt64BE(p + 22),
          batches: [],
        };
        const n = buf.readInt8(p + 30);
        p += 31;
        for (let j = 0; j < n; j++) {
          e.batches.push({
            firstSeq: buf.readInt32BE(p),
            lastSeq: buf.readInt32BE(p + 4),
            firstOffset: buf.readBigInt64BE(p + 8),
            lastOffset: buf.readBigInt64BE(p + 16),
            timestamp: buf.readBigInt64BE(p + 24),
          });
          p += 32;
        }
        this.producers.set(e.producerId, e);
      }
      return true;
    } catch {
      this.producers.clear();
      return false;
    }
  }
}
