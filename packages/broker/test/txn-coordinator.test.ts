import { buildRecordBatch, ErrorCode } from '@brook/protocol';
import { LogManager, type PartitionLog } from '@brook/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryOffsetsLog } from '../src/state/groups/offsets-topic.js';
import { TransactionCoordinator, type TxnOffsetTopic } from '../src/state/transactions/coordinator.js';
import {
  decodeTxnKey,
  decodeTxnValue,
  encodeTxnKey,
  encodeTxnValue,
  type TxnRecord,
  TxnState,
} from '../src/state/transactions/txn-log.js';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent } as never;

describe('transaction coordinator state machine', () => {
  let mgr: LogManager;
  let logs: Map<string, PartitionLog>;
  let stateLog: MemoryOffsetsLog;
  let clock: number;
  let nextPid: bigint;
  let committed: { groupId: string; topics: TxnOffsetTopic[] }[];

  const coordinator = () =>
    new TransactionCoordinator({
      config: { maxTimeoutMs: 900_000, abortCheckIntervalMs: 0, leaderEpoch: 0 },
      logger: silent,
      openLog: async () => stateLog,
      nextProducerId: () => nextPid++,
      partitionLog: (t, p) => logs.get(`${t}-${p}`),
      partitionExists: (t, p) => logs.has(`${t}-${p}`),
      groups: {
        offsetsPartitions: () => 50,
        validate: () => ErrorCode.NONE,
        commit: (groupId, topics) => void committed.push({ groupId, topics }),
        metadataMaxBytes: () => 4096,
      },
      now: () => clock,
    });

  beforeEach(async () => {
    mgr = await LogManager.open({ dataDir: null, logger: silent });
    logs = new Map();
    for (const [t, p] of [
      ['a', 0],
      ['a', 1],
      ['b', 0],
    ] as const) {
      logs.set(`${t}-${p}`, await mgr.create(t, p));
    }
    stateLog = new MemoryOffsetsLog(3);
    clock = 1_000_000;
    nextPid = 100n;
    committed = [];
  });
  afterEach(async () => {
    await mgr.close();
  });

  const write = (log: PartitionLog, pid: bigint, epoch: number, seq: number) =>
    log.append(
      buildRecordBatch({
        records: [{ value: 'x' }],
        producerId: pid,
        producerEpoch: epoch,
        baseSequence: seq,
        isTransactional: true,
      }),
    );

  it('InitProducerId: new id at epoch 0, bumps on re-init; bad timeouts and KIP-360 mismatches refused', async () => {
    const c = coordinator();
    await c.start();
    expect(await c.initProducerId('t1', 60_000, -1n, -1)).toEqual({ errorCode: 0, producerId: 100n, producerEpoch: 0 });
    expect(await c.initProducerId('t1', 60_000, -1n, -1)).toEqual({ errorCode: 0, producerId: 100n, producerEpoch: 1 });
    expect((await c.initProducerId('t1', 0, -1n, -1)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await c.initProducerId('t1', 900_001, -1n, -1)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    // KIP-360: the epoch before the last bump is a retry of that bump and gets the same answer.
    expect(await c.initProducerId('t1', 60_000, 100n, 0)).toMatchObject({ errorCode: 0, producerEpoch: 1 });
    expect(await c.initProducerId('t1', 60_000, 100n, 1)).toMatchObject({ errorCode: 0, producerEpoch: 2 });
    expect(await c.initProducerId('t1', 60_000, 100n, 1)).toMatchObject({ errorCode: 0, producerEpoch: 2 });
    expect((await c.initProducerId('t1', 60_000, 100n, 0)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await c.initProducerId('t1', 60_000, 101n, 2)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await c.initProducerId('', 60_000, -1n, -1)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('errors: unknown id, wrong producer id, stale epoch, unknown partitions, EndTxn on Empty', async () => {
    const c = coordinator();
    await c.start();
    const { producerId: pid } = await c.initProducerId('t', 60_000, -1n, -1);
    const add = (id: string, p: bigint, e: number, topics = [{ name: 'a', partitions: [0] }]) =>
      c.addPartitions(id, p, e, topics).flatMap((t) => t.partitions.map((x) => x.errorCode));
    expect(add('nope', pid, 0)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(add('t', pid + 1n, 0)).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(add('t', pid, 1)).toEqual([ErrorCode.PRODUCER_FENCED]);
    expect(
      add('t', pid, 0, [
        { name: 'a', partitions: [0, 7] },
        { name: 'zz', partitions: [0] },
      ]),
    ).toEqual([
      ErrorCode.OPERATION_NOT_ATTEMPTED,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(c.describe('t').transactionState).toBe('Empty');
    expect(c.endTxn('t', pid, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(c.verifyProduce(pid, 0, 'a', 0)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(c.verifyProduce(999n, 0, 'a', 0)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('commit: markers on every partition, staged offsets applied, retries idempotent', async () => {
    const c = coordinator();
    await c.start();
    const { producerId: pid, producerEpoch: e } = await c.initProducerId('t', 60_000, -1n, -1);
    c.addPartitions('t', pid, e, [
      { name: 'a', partitions: [0, 1] },
      { name: 'b', partitions: [0] },
    ]);
    expect(c.verifyProduce(pid, e, 'a', 1)).toBe(0);
    expect(c.verifyProduce(pid, e, 'a', 2)).toBe(ErrorCode.INVALID_TXN_STATE);
    write(logs.get('a-0')!, pid, e, 0);
    write(logs.get('b-0')!, pid, e, 0);
    expect(logs.get('a-0')!.lastStableOffset).toBe(0n);
    const tp = [{ name: 'a', partitions: [{ partitionIndex: 0, offset: 5n, leaderEpoch: -1, metadata: null }] }];
    const noGroup = c.txnOffsetCommit('t', 'g', pid, e, { memberId: '', groupInstanceId: null, generationId: -1 }, tp);
    expect(noGroup[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(c.addOffsets('t', pid, e, 'g')).toBe(0);
    const staged = c.txnOffsetCommit('t', 'g', pid, e, { memberId: '', groupInstanceId: null, generationId: -1 }, tp);
    expect(staged[0]!.partitions[0]!.errorCode).toBe(0);
    expect(c.describe('t')).toMatchObject({ transactionState: 'Ongoing', transactionStartTimeMs: BigInt(clock) });
    expect(committed).toEqual([]);

    expect(c.endTxn('t', pid, e, true)).toBe(0);
    expect(committed).toEqual([
      {
        groupId: 'g',
        topics: [{ name: 'a', partitions: [{ partitionIndex: 0, offset: 5n, leaderEpoch: -1, metadata: '' }] }],
      },
    ]);
    for (const k of ['a-0', 'a-1', 'b-0']) {
      const log = logs.get(k)!;
      expect(log.lastStableOffset).toBe(log.highWatermark);
    }
    expect(logs.get('a-1')!.logEndOffset).toBe(1n); // marker even where nothing was written
    expect(logs.get('a-0')!.abortedTransactions(0n, 10n)).toEqual([]);
    expect(c.describe('t')).toMatchObject({ transactionState: 'CompleteCommit', topics: [] });
    expect(c.endTxn('t', pid, e, true)).toBe(0); // retry
    expect(c.endTxn('t', pid, e, false)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(committed).toHaveLength(1);
  });

  it('abort: markers make the data aborted, staged offsets dropped', async () => {
    const c = coordinator();
    await c.start();
    const { producerId: pid, producerEpoch: e } = await c.initProducerId('t', 60_000, -1n, -1);
    c.addPartitions('t', pid, e, [{ name: 'a', partitions: [0] }]);
    write(logs.get('a-0')!, pid, e, 0);
    c.addOffsets('t', pid, e, 'g');
    c.txnOffsetCommit('t', 'g', pid, e, { memberId: '', groupInstanceId: null, generationId: -1 }, [
      { name: 'a', partitions: [{ partitionIndex: 0, offset: 1n, leaderEpoch: -1, metadata: null }] },
    ]);
    expect(c.endTxn('t', pid, e, false)).toBe(0);
    expect(committed).toEqual([]);
    expect(logs.get('a-0')!.abortedTransactions(0n, 2n)).toEqual([
      { producerId: pid, firstOffset: 0n, lastOffset: 1n, lastStableOffset: 2n },
    ]);
    expect(c.describe('t').transactionState).toBe('CompleteAbort');
    // The next transaction of the same producer works.
    c.addPartitions('t', pid, e, [{ name: 'a', partitions: [0] }]);
    write(logs.get('a-0')!, pid, e, 1);
    expect(c.endTxn('t', pid, e, true)).toBe(0);
    expect(logs.get('a-0')!.lastStableOffset).toBe(4n);
  });

  it('a new instance fences the old one and aborts its open transaction', async () => {
    const c = coordinator();
    await c.start();
    const old = await c.initProducerId('t', 60_000, -1n, -1);
    c.addPartitions('t', old.producerId, old.producerEpoch, [{ name: 'a', partitions: [0] }]);
    write(logs.get('a-0')!, old.producerId, old.producerEpoch, 0);
    const fresh = await c.initProducerId('t', 60_000, -1n, -1);
    expect(fresh).toMatchObject({ errorCode: 0, producerId: old.producerId, producerEpoch: old.producerEpoch + 2 });
    const log = logs.get('a-0')!;
    expect(log.abortedTransactions(0n, 10n)).toHaveLength(1);
    expect(log.lastStableOffset).toBe(log.highWatermark);
    expect(
      c.addPartitions('t', old.producerId, old.producerEpoch, [{ name: 'a', partitions: [0] }])[0]!.partitions[0]!
        .errorCode,
    ).toBe(ErrorCode.PRODUCER_FENCED);
    expect(c.endTxn('t', old.producerId, old.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(c.verifyProduce(old.producerId, old.producerEpoch, 'a', 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(() => write(log, old.producerId, old.producerEpoch, 1)).toThrow(/epoch/);
  });

  it('transaction.timeout.ms aborts a forgotten transaction with a bumped epoch', async () => {
    const c = coordinator();
    await c.start();
    const { producerId: pid, producerEpoch: e } = await c.initProducerId('t', 10_000, -1n, -1);
    c.addPartitions('t', pid, e, [{ name: 'b', partitions: [0] }]);
    write(logs.get('b-0')!, pid, e, 0);
    clock += 10_000;
    expect(c.abortTimedOut()).toBe(0);
    clock += 1;
    expect(c.abortTimedOut()).toBe(1);
    expect(c.describe('t')).toMatchObject({ transactionState: 'CompleteAbort', producerEpoch: e + 1 });
    expect(logs.get('b-0')!.abortedTransactions(0n, 10n)).toHaveLength(1);
    expect(c.endTxn('t', pid, e, true)).toBe(ErrorCode.PRODUCER_FENCED);
    // Its own abort is answered as done, and it may bump from its old epoch (KIP-360) and go on.
    expect(c.endTxn('t', pid, e, false)).toBe(0);
    expect(await c.initProducerId('t', 10_000, pid, e)).toMatchObject({ errorCode: 0, producerEpoch: e + 2 });
  });

  it('transactional.id.expiration.ms forgets idle ids, never open ones', async () => {
    const c = new TransactionCoordinator({
      config: { maxTimeoutMs: 900_000, abortCheckIntervalMs: 0, leaderEpoch: 0, idExpirationMs: 5_000 },
      logger: silent,
      openLog: async () => stateLog,
      nextProducerId: () => nextPid++,
      partitionLog: (t, p) => logs.get(`${t}-${p}`),
      partitionExists: (t, p) => logs.has(`${t}-${p}`),
      groups: { offsetsPartitions: () => 50, validate: () => 0, commit: () => {}, metadataMaxBytes: () => 4096 },
      now: () => clock,
    });
    await c.start();
    await c.initProducerId('idle', 60_000, -1n, -1);
    const busy = await c.initProducerId('busy', 60_000, -1n, -1);
    c.addPartitions('busy', busy.producerId, busy.producerEpoch, [{ name: 'a', partitions: [0] }]);
    clock += 5_000;
    expect(c.expireIdle()).toBe(1);
    expect(c.describe('idle').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(c.describe('busy').transactionState).toBe('Ongoing');
    c.close();
    const reloaded = coordinator();
    await reloaded.start();
    expect(reloaded.describe('idle').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(reloaded.describe('busy').transactionState).toBe('Ongoing');
  });

  it('state survives a reload; an interrupted PrepareCommit is finished on load', async () => {
    const c = coordinator();
    await c.start();
    const { producerId: pid, producerEpoch: e } = await c.initProducerId('t', 60_000, -1n, -1);
    c.addPartitions('t', pid, e, [{ name: 'a', partitions: [0] }]);
    write(logs.get('a-0')!, pid, e, 0);
    c.addOffsets('t', pid, e, 'g');
    c.txnOffsetCommit('t', 'g', pid, e, { memberId: '', groupInstanceId: null, generationId: -1 }, [
      { name: 'a', partitions: [{ partitionIndex: 0, offset: 9n, leaderEpoch: 3, metadata: 'm' }] },
    ]);
    await c.initProducerId('u', 60_000, -1n, -1);
    c.close();

    const reloaded = coordinator();
    await reloaded.start();
    expect(reloaded.describe('t')).toMatchObject({ transactionState: 'Ongoing', producerId: pid, producerEpoch: e });
    expect(reloaded.describe('u').transactionState).toBe('Empty');
    expect(reloaded.list(['Ongoing'], [], -1n).states.map((s) => s.transactionalId)).toEqual(['t']);
    expect(reloaded.list(['Bogus'], [], -1n).unknownStateFilters).toEqual(['Bogus']);
    expect(reloaded.list([], [pid], -1n).states).toHaveLength(1);

    // Simulate a crash between PrepareCommit and the markers: append a PrepareCommit record by hand.
    const rec = reloaded.state('t')!;
    const p = stateLog.partitions.findIndex((records) => records.some((r) => decodeTxnKey(r.key) === 't'));
    stateLog.append(p, [{ key: encodeTxnKey('t'), value: encodeTxnValue({ ...rec, state: TxnState.PrepareCommit }) }]);
    reloaded.close();
    const third = coordinator();
    await third.start();
    expect(third.describe('t').transactionState).toBe('CompleteCommit');
    expect(logs.get('a-0')!.lastStableOffset).toBe(logs.get('a-0')!.highWatermark);
    expect(committed).toEqual([
      {
        groupId: 'g',
        topics: [{ name: 'a', partitions: [{ partitionIndex: 0, offset: 9n, leaderEpoch: 3, metadata: 'm' }] }],
      },
    ]);
  });

  it('reset aborts open transactions and forgets every id, durably', async () => {
    const c = coordinator();
    await c.start();
    const p = await c.initProducerId('r', 60_000, -1n, -1);
    c.addPartitions('r', p.producerId, p.producerEpoch, [{ name: 'a', partitions: [0] }]);
    write(logs.get('a-0')!, p.producerId, p.producerEpoch, 0);
    c.reset();
    expect(logs.get('a-0')!.lastStableOffset).toBe(logs.get('a-0')!.highWatermark);
    expect(c.describe('r').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const reloaded = coordinator();
    await reloaded.start();
    expect(reloaded.describe('r').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it('__transaction_state records round-trip', () => {
    const rec: TxnRecord = {
      transactionalId: 'tx-é',
      producerId: 42n,
      producerEpoch: 7,
      lastProducerEpoch: 6,
      txnTimeoutMs: 60_000,
      state: TxnState.Ongoing,
      partitions: new Map([
        ['a', new Set([0, 2])],
        ['__consumer_offsets', new Set([13])],
      ]),
      lastUpdateMs: 5,
      startMs: 4,
      groups: new Set(['g']),
      pendingOffsets: new Map([['g', new Map([['0:a', { offset: 3n, leaderEpoch: -1, metadata: '' }]])]]),
    };
    expect(decodeTxnKey(encodeTxnKey(rec.transactionalId))).toBe('tx-é');
    expect(decodeTxnValue('tx-é', encodeTxnValue(rec))).toEqual(rec);
  });
});
