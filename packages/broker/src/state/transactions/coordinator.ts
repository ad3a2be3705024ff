// The transaction coordinator (Kafka's TransactionCoordinator + TransactionStateManager + the marker
// channel, on one broker). Keyed by transactional.id; every state change is written to
// __transaction_state before it takes effect, and reloaded on start.
//
// States: Empty → Ongoing (AddPartitions/AddOffsets) → PrepareCommit|PrepareAbort (EndTxn, timeout,
// fencing) → CompleteCommit|CompleteAbort. On one broker the markers are written synchronously while
// EndTxn is handled: Prepare* is logged, a control batch goes to every partition of the transaction,
// the staged TxnOffsetCommit offsets are committed to the group coordinator (commit only), then
// Complete* is logged. A Prepare* found on load is finished the same way (markers are idempotent).
// Fencing: InitProducerId bumps the epoch (aborting an open transaction with the new epoch, so the
// old instance's batches are refused by every partition), a timed-out transaction is aborted with a
// bumped epoch too, as Kafka does.
import { ErrorCode } from '@brook/protocol';
import { appendTxnMarker, type PartitionLog } from '@brook/storage';
import type { Logger } from '../../logger.js';
import type { OffsetsLog } from '../groups/offsets-topic.js';
import { offsetsPartitionFor } from '../groups/offsets-topic.js';
import {
  decodeTxnKey,
  decodeTxnValue,
  encodeTxnKey,
  encodeTxnValue,
  type StagedOffset,
  TXN_STATE_NAMES,
  type TxnRecord,
  TxnState,
} from './txn-log.js';

/** Epochs are int16; Kafka moves to a new producer id before Short.MAX_VALUE. */
const MAX_EPOCH = 0x7fff - 1;
const CONSUMER_OFFSETS = '__consumer_offsets';

export interface TxnCoordinatorConfig {
  /** transaction.max.timeout.ms */
  maxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortCheckIntervalMs: number;
  /** transactional.id.expiration.ms: ids idle (no transaction open) this long are forgotten. */
  idExpirationMs?: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  expireCheckIntervalMs?: number;
  /** leader epoch stamped into marker batches */
  leaderEpoch: number;
}

export interface TxnOffsetTopic {
  name: string;
  partitions: { partitionIndex: number; offset: bigint; leaderEpoch: number; metadata: string | null }[];
}

export interface TxnCoordinatorDeps {
  config: TxnCoordinatorConfig;
  logger: Logger;
  /** __transaction_state (or an in-memory log in tests); null until opened. */
  openLog: () => Promise<OffsetsLog>;
  nextProducerId: () => bigint;
  /** The log of a data partition, for markers; undefined if it no longer exists. */
  partitionLog: (topic: string, partition: number) => PartitionLog | undefined;
  /** Does the partition exist (AddPartitionsToTxn, TxnOffsetCommit)? */
  partitionExists: (topic: string, partition: number) => boolean;
  groups: {
    /** Partition count of __consumer_offsets (AddOffsetsToTxn adds the group's partition). */
    offsetsPartitions(): number;
    /** Member/generation check of TxnOffsetCommit v3+; returns an error code. */
    validate(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number;
    /** Commits offsets on the transaction's commit (no member check, as Kafka's marker). */
    commit(groupId: string, topics: TxnOffsetTopic[]): void;
    metadataMaxBytes(): number;
  };
  now?: () => number;
}

export type InitResult = { errorCode: number; producerId: bigint; producerEpoch: number };

export interface DescribedTxn {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

/** A transactional id described with an error (not found, or the whole request failed): no state, no producer. */
export function describedTxnError(transactionalId: string, errorCode: number): DescribedTxn {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  };
}

export class TransactionCoordinator {
  readonly name = 'transactions';
  private readonly txns = new Map<string, TxnRecord>();
  private readonly byProducerId = new Map<bigint, TxnRecord>();
  private log: OffsetsLog | null = null;
  private opening: Promise<OffsetsLog> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: TxnCoordinatorDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Loads every transactional id from the log, finishes interrupted commits/aborts, starts the timeout sweep. */
  async start(): Promise<void> {
    const log = await this.openLog();
    const latest = new Map<string, TxnRecord | null>();
    for (let p = 0; p < log.numPartitions; p++) {
      for await (const r of log.readAll(p)) {
        try {
          const id = decodeTxnKey(r.key);
          if (id === null) continue;
          latest.set(id, r.value === null ? null : decodeTxnValue(id, r.value));
        } catch (err) {
          this.deps.logger.warn({ partition: p, err: String(err) }, 'skipping unreadable __transaction_state record');
        }
      }
    }
    for (const [id, t] of latest) {
      if (t === null || t.state === TxnState.Dead) continue;
      this.txns.set(id, t);
      this.byProducerId.set(t.producerId, t);
    }
    for (const t of this.txns.values()) {
      if (t.state === TxnState.PrepareCommit) this.complete(t, true);
      else if (t.state === TxnState.PrepareAbort || t.state === TxnState.PrepareEpochFence) this.complete(t, false);
    }
    if (this.txns.size > 0)
      this.deps.logger.info({ transactionalIds: this.txns.size }, 'transaction coordinator loaded');
    if (this.deps.config.abortCheckIntervalMs > 0) {
      this.timer = setInterval(() => this.abortTimedOut(), this.deps.config.abortCheckIntervalMs);
      this.timer.unref();
    }
    const every = this.deps.config.expireCheckIntervalMs ?? 0;
    if (every > 0) {
      this.expireTimer = setInterval(() => this.expireIdle(), every);
      this.expireTimer.unref();
    }
  }

  /** Forgets every transactional id (embedded test mode: broker.reset()); open transactions are aborted first. */
  reset(): void {
    for (const t of this.txns.values()) {
      if (t.state === TxnState.Ongoing) {
        this.bumpEpoch(t);
        this.complete(t, false, TxnState.PrepareEpochFence);
      }
      if (this.log) {
        const id = t.transactionalId;
        this.log.append(offsetsPartitionFor(id, this.log.numPartitions), [{ key: encodeTxnKey(id), value: null }]);
      }
    }
    this.txns.clear();
    this.byProducerId.clear();
  }

  /** Forgets transactional ids idle for transactional.id.expiration.ms (a tombstone in the log). */
  expireIdle(): number {
    const ttl = this.deps.config.idExpirationMs;
    if (this.closed || ttl === undefined || !this.log) return 0;
    const now = this.now();
    let n = 0;
    for (const [id, t] of this.txns) {
      const idle =
        t.state === TxnState.Empty || t.state === TxnState.CompleteCommit || t.state === TxnState.CompleteAbort;
      if (!idle || now - t.lastUpdateMs < ttl) continue;
      this.log.append(offsetsPartitionFor(id, this.log.numPartitions), [{ key: encodeTxnKey(id), value: null }]);
      this.txns.delete(id);
      if (this.byProducerId.get(t.producerId) === t) this.byProducerId.delete(t.producerId);
      n++;
    }
    if (n > 0) this.deps.logger.info({ expired: n }, 'expired idle transactional ids');
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.timer = null;
    this.expireTimer = null;
  }

  private openLog(): Promise<OffsetsLog> {
    if (this.log) return Promise.resolve(this.log);
    this.opening ??= this.deps.openLog().then((l) => {
      this.log = l;
      return l;
    });
    return this.opening;
  }

  private persist(t: TxnRecord): void {
    const log = this.log;
    if (!log) throw new Error('__transaction_state is not open');
    t.lastUpdateMs = this.now();
    log.append(offsetsPartitionFor(t.transactionalId, log.numPartitions), [
      { key: encodeTxnKey(t.transactionalId), value: encodeTxnValue(t) },
    ]);
  }

  // ------------------------------------------------------------------ InitProducerId

  async initProducerId(
    transactionalId: string,
    txnTimeoutMs: number,
    expectedProducerId: bigint,
    expectedEpoch: number,
  ): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1n, producerEpoch: -1 });
    if (this.closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (txnTimeoutMs <= 0 || txnTimeoutMs > this.deps.config.maxTimeoutMs) {
      return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    if ((expectedProducerId === -1n) !== (expectedEpoch === -1)) return fail(ErrorCode.INVALID_REQUEST);
    try {
      const log = await this.openLog();
      await log.ensure?.();
    } catch (err) {
      this.deps.logger.warn({ err }, 'opening __transaction_state failed');
      return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    let t = this.txns.get(transactionalId);
    if (!t) {
      t = {
        transactionalId,
        producerId: this.deps.nextProducerId(),
        producerEpoch: -1,
        lastProducerEpoch: -1,
        txnTimeoutMs,
        state: TxnState.Empty,
        partitions: new Map(),
        lastUpdateMs: this.now(),
        startMs: -1,
        groups: new Set(),
        pendingOffsets: new Map(),
      };
    } else {
      if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) {
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      if (expectedProducerId !== -1n) {
        // KIP-360: a producer that knows its id/epoch may only bump from the current one (or retry the last bump).
        // After a timeout abort (epoch bumped by the coordinator) the producer may bump from its old epoch.
        const previous = expectedProducerId === t.producerId && expectedEpoch === t.lastProducerEpoch;
        if (previous && t.state === TxnState.Empty) {
          return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
        }
        if (!previous && (expectedProducerId !== t.producerId || expectedEpoch !== t.producerEpoch)) {
          return fail(ErrorCode.PRODUCER_FENCED);
        }
      }
      if (t.state === TxnState.Ongoing) {
        // The previous instance left a transaction open: abort it with a bumped epoch, fencing it.
        this.bumpEpoch(t);
        this.complete(t, false, TxnState.PrepareEpochFence);
      }
    }
    t.txnTimeoutMs = txnTimeoutMs;
    this.bumpEpoch(t);
    t.state = TxnState.Empty;
    t.partitions = new Map();
    t.groups = new Set();
    t.pendingOffsets = new Map();
    t.startMs = -1;
    this.register(t);
    this.persist(t);
    return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
  }

  private register(t: TxnRecord): void {
    for (const [pid, other] of this.byProducerId)
      if (other === t && pid !== t.producerId) this.byProducerId.delete(pid);
    this.txns.set(t.transactionalId, t);
    this.byProducerId.set(t.producerId, t);
  }

  private bumpEpoch(t: TxnRecord): void {
    if (t.producerEpoch >= MAX_EPOCH) {
      t.producerId = this.deps.nextProducerId();
      t.lastProducerEpoch = -1;
      t.producerEpoch = 0;
      return;
    }
    t.lastProducerEpoch = t.producerEpoch;
    t.producerEpoch += 1;
  }

  // ------------------------------------------------------------------ checks shared by the txn APIs

  /** The record of a request's producer, or an error code (Kafka's checks before every state change). */
  private lookup(transactionalId: string, producerId: bigint, producerEpoch: number): TxnRecord | number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const t = this.txns.get(transactionalId);
    if (!t || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch !== t.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort)
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (t.state === TxnState.PrepareEpochFence || t.state === TxnState.Dead) return ErrorCode.CONCURRENT_TRANSACTIONS;
    return t;
  }

  private begin(t: TxnRecord): void {
    if (t.state !== TxnState.Ongoing) {
      t.state = TxnState.Ongoing;
      t.startMs = this.now();
    }
  }

  // ------------------------------------------------------------------ AddPartitionsToTxn / AddOffsetsToTxn

  /**
   * Adds partitions to the transaction. Returns one error code per partition (Kafka answers every
   * partition with the same transaction-level error, or UNKNOWN_TOPIC_OR_PARTITION for missing ones and
   * OPERATION_NOT_ATTEMPTED for the rest).
   */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    topics: { name: string; partitions: number[] }[],
    verifyOnly = false,
  ): { name: string; partitions: { partition: number; errorCode: number }[] }[] {
    const all = (code: (topic: string, p: number) => number) =>
      topics.map((tp) => ({
        name: tp.name,
        partitions: tp.partitions.map((p) => ({ partition: p, errorCode: code(tp.name, p) })),
      }));
    const t = this.lookup(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return all(() => t);
    if (verifyOnly) {
      return all((topic, p) =>
        t.state === TxnState.Ongoing && t.partitions.get(topic)?.has(p) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE,
      );
    }
    const missing = topics.some((tp) => tp.partitions.some((p) => !this.deps.partitionExists(tp.name, p)));
    if (missing) {
      return all((topic, p) =>
        this.deps.partitionExists(topic, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
    }
    let changed = t.state !== TxnState.Ongoing;
    for (const tp of topics) {
      let set = t.partitions.get(tp.name);
      if (!set) {
        set = new Set();
        t.partitions.set(tp.name, set);
      }
      for (const p of tp.partitions) {
        if (!set.has(p)) {
          set.add(p);
          changed = true;
        }
      }
    }
    if (changed) {
      this.begin(t);
      this.persist(t);
    }
    return all(() => ErrorCode.NONE);
  }

  addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): number {
    const t = this.lookup(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return t;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const p = offsetsPartitionFor(groupId, this.deps.groups.offsetsPartitions());
    let set = t.partitions.get(CONSUMER_OFFSETS);
    if (!set) {
      set = new Set();
      t.partitions.set(CONSUMER_OFFSETS, set);
    }
    if (!t.groups.has(groupId) || !set.has(p) || t.state !== TxnState.Ongoing) {
      set.add(p);
      t.groups.add(groupId);
      this.begin(t);
      this.persist(t);
    }
    return ErrorCode.NONE;
  }

  // ------------------------------------------------------------------ TxnOffsetCommit

  txnOffsetCommit(
    transactionalId: string,
    groupId: string,
    producerId: bigint,
    producerEpoch: number,
    member: { memberId: string; groupInstanceId: string | null; generationId: number },
    topics: TxnOffsetTopic[],
  ): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
    const all = (code: (topic: string, p: number) => number) =>
      topics.map((tp) => ({
        name: tp.name,
        partitions: tp.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code(tp.name, p.partitionIndex),
        })),
      }));
    const t = this.lookup(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return all(() => t);
    if (groupId === '') return all(() => ErrorCode.INVALID_GROUP_ID);
    if (t.state !== TxnState.Ongoing || !t.groups.has(groupId)) return all(() => ErrorCode.INVALID_TXN_STATE);
    if (member.memberId !== '' || member.generationId >= 0) {
      const err = this.deps.groups.validate(groupId, member.memberId, member.groupInstanceId, member.generationId);
      if (err !== ErrorCode.NONE) return all(() => err);
    }
    let staged = t.pendingOffsets.get(groupId);
    const maxMeta = this.deps.groups.metadataMaxBytes();
    const result = topics.map((tp) => ({
      name: tp.name,
      partitions: tp.partitions.map((p) => {
        let errorCode: number = ErrorCode.NONE;
        if (!this.deps.partitionExists(tp.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (Buffer.byteLength(p.metadata ?? '', 'utf8') > maxMeta) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else {
          if (!staged) {
            staged = new Map();
            t.pendingOffsets.set(groupId, staged);
          }
          const o: StagedOffset = { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata ?? '' };
          staged.set(`${p.partitionIndex}:${tp.name}`, o);
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    this.persist(t);
    return result;
  }

  // ------------------------------------------------------------------ EndTxn

  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const t0 = this.txns.get(transactionalId);
    // A retry of an EndTxn that already completed succeeds (Kafka's CompleteCommit/CompleteAbort cases).
    if (t0 && t0.producerId === producerId && t0.producerEpoch === producerEpoch) {
      if (t0.state === TxnState.CompleteCommit) return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      if (t0.state === TxnState.CompleteAbort) return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
    }
    // The coordinator aborted this producer's transaction on its timeout (bumping the epoch): its own
    // abort is answered as done, as Kafka does; a commit is fenced below.
    if (
      t0 &&
      !commit &&
      t0.producerId === producerId &&
      producerEpoch === t0.lastProducerEpoch &&
      t0.state === TxnState.CompleteAbort
    ) {
      return ErrorCode.NONE;
    }
    const t = this.lookup(transactionalId, producerId, producerEpoch);
    if (typeof t === 'number') return t;
    if (t.state !== TxnState.Ongoing) return ErrorCode.INVALID_TXN_STATE;
    this.complete(t, commit);
    return ErrorCode.NONE;
  }

  /**
   * Prepare → markers → Complete. `prepare` overrides the logged prepare state (PrepareEpochFence when
   * InitProducerId fences an open transaction).
   */
  private complete(t: TxnRecord, commit: boolean, prepare?: TxnState): void {
    t.state = prepare ?? (commit ? TxnState.PrepareCommit : TxnState.PrepareAbort);
    this.persist(t);
    const now = this.now();
    for (const [topic, parts] of t.partitions) {
      if (topic === CONSUMER_OFFSETS) continue; // staged offsets are applied below, not through that log
      for (const p of parts) {
        const log = this.deps.partitionLog(topic, p);
        if (!log) continue; // deleted since it was added
        appendTxnMarker(
          log,
          commit ? 'commit' : 'abort',
          t.producerId,
          t.producerEpoch,
          0,
          now,
          this.deps.config.leaderEpoch,
        );
      }
    }
    if (commit) {
      for (const [groupId, staged] of t.pendingOffsets) {
        const byTopic = new Map<string, TxnOffsetTopic>();
        for (const [k, o] of staged) {
          const sep = k.indexOf(':');
          const topic = k.slice(sep + 1);
          let tp = byTopic.get(topic);
          if (!tp) {
            tp = { name: topic, partitions: [] };
            byTopic.set(topic, tp);
          }
          tp.partitions.push({
            partitionIndex: Number(k.slice(0, sep)),
            offset: o.offset,
            leaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
          });
        }
        this.deps.groups.commit(groupId, [...byTopic.values()]);
      }
    }
    t.state = commit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
    t.partitions = new Map();
    t.groups = new Set();
    t.pendingOffsets = new Map();
    this.persist(t);
    this.deps.logger.info(
      { transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch, commit },
      'transaction completed',
    );
  }

  /** Aborts transactions open for longer than their timeout, bumping the epoch to fence the producer. */
  abortTimedOut(): number {
    if (this.closed) return 0;
    const now = this.now();
    let n = 0;
    for (const t of this.txns.values()) {
      if (t.state !== TxnState.Ongoing || t.startMs < 0 || now - t.startMs <= t.txnTimeoutMs) continue;
      this.deps.logger.info(
        { transactionalId: t.transactionalId, timeoutMs: t.txnTimeoutMs },
        'aborting timed-out transaction',
      );
      this.bumpEpoch(t);
      this.register(t);
      this.complete(t, false, TxnState.PrepareEpochFence);
      n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ produce path

  /**
   * Kafka's transaction verification for a transactional batch: its producer must have the partition in
   * an ongoing transaction, with the current epoch. Returns an error code (NONE when allowed).
   */
  verifyProduce(producerId: bigint, producerEpoch: number, topic: string, partition: number): number {
    const t = this.byProducerId.get(producerId);
    if (!t) return ErrorCode.INVALID_TXN_STATE;
    if (producerEpoch < t.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (producerEpoch > t.producerEpoch) return ErrorCode.INVALID_TXN_STATE;
    if (t.state !== TxnState.Ongoing || !t.partitions.get(topic)?.has(partition)) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  /** Does an open transaction hold offsets staged for this group partition (OffsetFetch requireStable)? */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    const key = `${partition}:${topic}`;
    for (const t of this.txns.values()) {
      if (t.state === TxnState.Ongoing && t.pendingOffsets.get(groupId)?.has(key)) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ admin

  describe(transactionalId: string): DescribedTxn {
    const t = this.txns.get(transactionalId);
    if (!t) return describedTxnError(transactionalId, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: TXN_STATE_NAMES[t.state] ?? 'Unknown',
      transactionTimeoutMs: t.txnTimeoutMs,
      transactionStartTimeMs: BigInt(t.startMs),
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      topics: [...t.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })),
    };
  }

  list(
    stateFilters: string[],
    producerIdFilters: bigint[],
    durationFilterMs: bigint,
  ): {
    unknownStateFilters: string[];
    states: { transactionalId: string; producerId: bigint; transactionState: string }[];
  } {
    const unknownStateFilters = stateFilters.filter((s) => !TXN_STATE_NAMES.includes(s));
    const states = new Set(stateFilters);
    const pids = new Set(producerIdFilters);
    const now = this.now();
    const out: { transactionalId: string; producerId: bigint; transactionState: string }[] = [];
    for (const t of this.txns.values()) {
      const name = TXN_STATE_NAMES[t.state] ?? 'Unknown';
      if (states.size > 0 && !states.has(name)) continue;
      if (pids.size > 0 && !pids.has(t.producerId)) continue;
      if (durationFilterMs >= 0n && (t.state !== TxnState.Ongoing || BigInt(now - t.startMs) < durationFilterMs))
        continue;
      out.push({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: name });
    }
    return { unknownStateFilters, states: out };
  }

  /**
   * A topic was deleted: offsets staged for it by open transactions are dropped, so a later commit
   * cannot bring them back (Kafka's removeOffsets clears pending transactional offsets too).
   */
  forgetTopicOffsets(topic: string): void {
    for (const t of this.txns.values()) {
      let changed = false;
      for (const [groupId, staged] of t.pendingOffsets) {
        for (const k of [...staged.keys()]) {
          if (k.slice(k.indexOf(':') + 1) !== topic) continue;
          staged.delete(k);
          changed = true;
        }
        if (staged.size === 0) t.pendingOffsets.delete(groupId);
      }
      if (!changed) continue;
      try {
        this.persist(t);
      } catch (err) {
        this.deps.logger.warn({ transactionalId: t.transactionalId, err: String(err) }, 'persisting txn failed');
      }
    }
  }

  /** For tests and tools. */
  state(transactionalId: string): TxnRecord | undefined {
    return this.txns.get(transactionalId);
  }
}
