// Transaction APIs over the wire, version by version, with Brook's codec client: what ApiVersions
// advertises, the v4+ batched AddPartitionsToTxn (verifyOnly included), PRODUCER_FENCED vs
// INVALID_PRODUCER_EPOCH by version, produce verification, FindCoordinator's transaction key type,
// DescribeProducers showing an open transaction's first offset, a stale epoch of an idempotent producer,
// and ListTransactions v0/v1 with state, producer-id and duration filters.
import {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  ApiKey,
  ApiVersionsRequest,
  ApiVersionsResponse,
  buildRecordBatch,
  DescribeProducersRequest,
  DescribeProducersResponse,
  EndTxnRequest,
  EndTxnResponse,
  ErrorCode,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  ProduceRequest,
  ProduceResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '@brook/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';

let tb: TestBroker;
let c: CodecClient;
let n = 0;

beforeAll(async () => {
  tb = await startTestBroker();
  c = await CodecClient.open(tb.port);
  await tb.broker.state.topics.create('tp', { partitions: 2 });
});
afterAll(async () => {
  c.close();
  await tb.destroy();
});

/** InitProducerId v4 for a transactional id, or for a plain idempotent producer with null. */
async function init(id: string | null) {
  const r = await c.request(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: id,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  expect(r.errorCode).toBe(0);
  return r;
}

function produce(id: string | null, pid: bigint, epoch: number, partition: number, seq: number, version = 9) {
  return c
    .request(ProduceRequest, ProduceResponse, version, {
      transactionalId: id,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'tp',
          partitionData: [
            {
              index: partition,
              records: buildRecordBatch({
                records: [{ value: 'v' }],
                producerId: pid,
                producerEpoch: epoch,
                baseSequence: seq,
                isTransactional: id !== null,
              }),
            },
          ],
        },
      ],
    })
    .then((r) => r.responses[0]!.partitionResponses[0]!);
}

describe('transaction APIs on the wire', () => {
  it('ApiVersions advertises the transaction APIs but not WriteTxnMarkers', async () => {
    const r = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, {
      clientSoftwareName: 't',
      clientSoftwareVersion: '1',
    });
    const range = (k: number) => r.apiKeys.find((a) => a.apiKey === k);
    expect(range(ApiKey.AddPartitionsToTxn)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(ApiKey.AddOffsetsToTxn)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(ApiKey.EndTxn)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(ApiKey.TxnOffsetCommit)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(ApiKey.DescribeTransactions)).toMatchObject({ minVersion: 0, maxVersion: 0 });
    expect(range(ApiKey.ListTransactions)).toMatchObject({ minVersion: 0, maxVersion: 1 });
    expect(range(ApiKey.WriteTxnMarkers)).toBeUndefined();
  });

  it('FindCoordinator with the transaction key type answers this node', async () => {
    const r = await c.request(FindCoordinatorRequest, FindCoordinatorResponse, 4, {
      keyType: 1,
      coordinatorKeys: ['any-txn'],
    });
    expect(r.coordinators?.[0]).toMatchObject({ key: 'any-txn', errorCode: 0, nodeId: tb.broker.state.nodeId });
  });

  it('AddPartitionsToTxn v4/v5 batched form, with verifyOnly', async () => {
    for (const v of [4, 5]) {
      const a = await init(`batched-${v}-a`);
      const b = await init(`batched-${v}-b`);
      const r = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, v, {
        transactions: [
          {
            transactionalId: `batched-${v}-a`,
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            verifyOnly: false,
            topics: [{ name: 'tp', partitions: [0, 1] }],
          },
          {
            transactionalId: `batched-${v}-b`,
            producerId: b.producerId,
            producerEpoch: b.producerEpoch + 1,
            verifyOnly: false,
            topics: [{ name: 'tp', partitions: [0] }],
          },
        ],
      });
      expect(r.errorCode).toBe(0);
      const codes = r.resultsByTransaction!.map((t) =>
        t.topicResults.flatMap((x) => x.resultsByPartition.map((p) => p.partitionErrorCode)),
      );
      expect(codes).toEqual([[0, 0], [ErrorCode.PRODUCER_FENCED]]);
      const verify = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, v, {
        transactions: [
          {
            transactionalId: `batched-${v}-a`,
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            verifyOnly: true,
            topics: [{ name: 'tp', partitions: [1] }],
          },
          {
            transactionalId: `batched-${v}-b`,
            producerId: b.producerId,
            producerEpoch: b.producerEpoch,
            verifyOnly: true,
            topics: [{ name: 'tp', partitions: [1] }],
          },
        ],
      });
      expect(
        verify.resultsByTransaction!.map((t) => t.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode),
      ).toEqual([0, ErrorCode.INVALID_TXN_STATE]);
    }
  });

  it('old versions answer INVALID_PRODUCER_EPOCH where new ones answer PRODUCER_FENCED', async () => {
    const id = `fence-${++n}`;
    const p = await init(id);
    const stale = p.producerEpoch - 1;
    for (const v of [0, 1, 2, 3]) {
      const r = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, v, {
        v3AndBelowTransactionalId: id,
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch + 5,
        v3AndBelowTopics: [{ name: 'tp', partitions: [0] }],
      });
      expect(r.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode).toBe(
        v < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED,
      );
    }
    for (const v of [0, 1, 2, 3, 4]) {
      const body = { transactionalId: id, producerId: p.producerId, producerEpoch: stale };
      const fenced = v < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED;
      expect((await c.request(EndTxnRequest, EndTxnResponse, v, { ...body, committed: true })).errorCode).toBe(fenced);
      expect(
        (await c.request(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, v, { ...body, groupId: 'g' })).errorCode,
      ).toBe(fenced);
      const t = await c.request(TxnOffsetCommitRequest, TxnOffsetCommitResponse, v, {
        ...body,
        groupId: 'g',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'tp', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
      });
      expect(t.topics[0]!.partitions[0]!.errorCode).toBe(
        v < 3 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED,
      );
    }
    const unknown = await c.request(EndTxnRequest, EndTxnResponse, 3, {
      transactionalId: 'never-initialised',
      producerId: 1n,
      producerEpoch: 0,
      committed: false,
    });
    expect(unknown.errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });

  it('produce: a transactional batch needs its partition in the ongoing transaction', async () => {
    const id = `produce-${++n}`;
    const p = await init(id);
    expect((await produce(id, p.producerId, p.producerEpoch, 0, 0)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: 'tp', partitions: [0] }],
    });
    const ok = await produce(id, p.producerId, p.producerEpoch, 0, 0);
    expect(ok.errorCode).toBe(0);
    expect((await produce(id, p.producerId, p.producerEpoch, 1, 0)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect((await produce(id, p.producerId, p.producerEpoch - 1, 0, 1)).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    const described = await c.request(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [{ name: 'tp', partitionIndexes: [0] }],
    });
    const mine = described.topics[0]!.partitions[0]!.activeProducers.find((x) => x.producerId === p.producerId);
    expect(mine).toMatchObject({ producerEpoch: p.producerEpoch, currentTxnStartOffset: ok.baseOffset });
    const end = await c.request(EndTxnRequest, EndTxnResponse, 4, {
      transactionalId: id,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      committed: true,
    });
    expect(end.errorCode).toBe(0);
    const after = await c.request(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [{ name: 'tp', partitionIndexes: [0] }],
    });
    expect(
      after.topics[0]!.partitions[0]!.activeProducers.find((x) => x.producerId === p.producerId)?.currentTxnStartOffset,
    ).toBe(-1n);
  });

  it('OffsetFetch requireStable: UNSTABLE_OFFSET_COMMIT while a transaction holds staged offsets', async () => {
    const id = `stable-${++n}`;
    const p = await init(id);
    const body = { transactionalId: id, producerId: p.producerId, producerEpoch: p.producerEpoch };
    expect(
      (await c.request(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, { ...body, groupId: id })).errorCode,
    ).toBe(0);
    await c.request(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
      ...body,
      groupId: id,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'tp', partitions: [{ partitionIndex: 1, committedOffset: 11n, committedMetadata: null }] }],
    });
    const fetch = async (requireStable: boolean) =>
      (
        await c.request(OffsetFetchRequest, OffsetFetchResponse, 7, {
          groupId: id,
          topics: [{ name: 'tp', partitionIndexes: [0, 1] }],
          requireStable,
        })
      ).topics![0]!.partitions.map((x) => [x.committedOffset, x.errorCode]);
    expect(await fetch(true)).toEqual([
      [-1n, 0],
      [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    ]);
    expect(await fetch(false)).toEqual([
      [-1n, 0],
      [-1n, 0],
    ]);
    expect((await c.request(EndTxnRequest, EndTxnResponse, 3, { ...body, committed: true })).errorCode).toBe(0);
    expect(await fetch(true)).toEqual([
      [-1n, 0],
      [11n, 0],
    ]);
  });

  it('produce: an idempotent producer batch with a stale epoch gets INVALID_PRODUCER_EPOCH', async () => {
    const r = await init(null);
    const pid = r.producerId;
    const first = await produce(null, pid, r.producerEpoch, 0, 0);
    expect(first.errorCode).toBe(0);
    // A newer epoch starts again at sequence 0 and fences the older one on this partition.
    const bumped = await produce(null, pid, r.producerEpoch + 1, 0, 0);
    expect([bumped.errorCode, bumped.baseOffset]).toEqual([0, first.baseOffset + 1n]);
    for (const v of [3, 9, 11]) {
      const stale = await produce(null, pid, r.producerEpoch, 0, 1, v);
      expect([v, stale.errorCode]).toEqual([v, ErrorCode.INVALID_PRODUCER_EPOCH]);
    }
    const end = await c.request(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [{ name: 'tp', partitionIndexes: [0] }],
    });
    const mine = end.topics[0]!.partitions[0]!.activeProducers.find((x) => x.producerId === pid);
    expect(mine).toMatchObject({ producerEpoch: r.producerEpoch + 1, lastSequence: 0 });
  });

  it('ListTransactions v0 and v1: state and producer-id filters, and (v1) the duration filter', async () => {
    const begin = async (id: string) => {
      const p = await init(id);
      const add = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
        v3AndBelowTransactionalId: id,
        v3AndBelowProducerId: p.producerId,
        v3AndBelowProducerEpoch: p.producerEpoch,
        v3AndBelowTopics: [{ name: 'tp', partitions: [1] }],
      });
      expect(add.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode).toBe(0);
      return p;
    };
    const old = await begin(`list-old-${++n}`);
    await new Promise((r) => setTimeout(r, 400));
    const fresh = await begin(`list-fresh-${++n}`);
    const idle = await init(`list-idle-${++n}`);
    const pids = [old.producerId, fresh.producerId, idle.producerId];
    const list = async (v: number, stateFilters: string[], producerIdFilters: bigint[], durationFilter = -1n) => {
      const r = await c.request(ListTransactionsRequest, ListTransactionsResponse, v, {
        stateFilters,
        producerIdFilters,
        ...(v >= 1 ? { durationFilter } : {}),
      });
      expect(r.errorCode).toBe(0);
      return {
        unknown: r.unknownStateFilters,
        listed: r.transactionStates
          .map((t) => [t.producerId, t.transactionState, t.transactionalId.replace(/-\d+$/, '')] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      };
    };
    for (const v of [0, 1]) {
      expect(await list(v, [], pids)).toEqual({
        unknown: [],
        listed: [
          [old.producerId, 'Ongoing', 'list-old'],
          [fresh.producerId, 'Ongoing', 'list-fresh'],
          [idle.producerId, 'Empty', 'list-idle'],
        ],
      });
      expect(await list(v, [], [fresh.producerId])).toEqual({
        unknown: [],
        listed: [[fresh.producerId, 'Ongoing', 'list-fresh']],
      });
      expect(await list(v, ['Empty', 'Bogus'], pids)).toEqual({
        unknown: ['Bogus'],
        listed: [[idle.producerId, 'Empty', 'list-idle']],
      });
    }
    // v1: only transactions running longer than the duration (the old one has run for 400+ ms).
    expect((await list(1, [], pids, 250n)).listed).toEqual([[old.producerId, 'Ongoing', 'list-old']]);
    expect((await list(1, ['Ongoing'], [fresh.producerId], 250n)).listed).toEqual([]);
    expect((await list(1, [], pids, 0n)).listed.map((t) => t[0])).toContain(old.producerId);
  });
});
