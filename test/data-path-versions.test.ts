// Every advertised version of the data-path APIs, on a real socket with Brook's codec (and kafkajs's
// decoder for Fetch v0-11): Produce 0-11, Fetch 0-17, ListOffsets 0-9, OffsetForLeaderEpoch 0-4,
// DeleteRecords 0-2, InitProducerId 0-5, DescribeProducers 0; plus fetch sessions, long polls and byte limits.
import {
  ApiKey,
  ApiVersionsRequest,
  ApiVersionsResponse,
  buildRecordBatch,
  CompressionType,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
  decodeMessageSet,
  decodeRecords,
  ErrorCode,
  encodeMessageSet,
  FetchRequest,
  type FetchRequest as FetchRequestType,
  FetchResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  iterateBatches,
  ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ProduceRequest,
  ProduceResponse,
} from '@brook/protocol';
import { appendTxnMarker } from '@brook/storage';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import './helpers/kafkajs-codecs.js';
import { fetchOnce, WireConnection } from './helpers/kafkajs-wire.js';

let broker: TestBroker;
let c: CodecClient;

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

async function createTopics(
  topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[],
) {
  const kafka = new Kafka({ clientId: 'versions-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics });
  await admin.disconnect();
}

const topicId = (name: string) => broker.broker.state.topics.get(name)!.topicId;

async function produce(topic: string, records: Buffer, version = 9, partition = 0) {
  const res = await c.request(ProduceRequest, ProduceResponse, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

function fetchBody(
  version: number,
  parts: { topic: string; partition?: number; fetchOffset: bigint; partitionMaxBytes?: number }[],
  extra: Partial<FetchRequestType> = {},
): FetchRequestType {
  const byTopic = new Map<string, FetchRequestType['topics'][number]>();
  for (const p of parts) {
    let t = byTopic.get(p.topic);
    if (!t) {
      t = version >= 13 ? { topicId: topicId(p.topic), partitions: [] } : { topic: p.topic, partitions: [] };
      byTopic.set(p.topic, t);
    }
    t.partitions.push({
      partition: p.partition ?? 0,
      fetchOffset: p.fetchOffset,
      partitionMaxBytes: p.partitionMaxBytes ?? 1 << 20,
    });
  }
  return { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, topics: [...byTopic.values()], ...extra };
}

/** Records of a fetched partition, decoded as v2 batches or (v0-3) legacy message sets. */
function values(version: number, records: Buffer | null): { offset: bigint; value: string | null }[] {
  if (!records || records.length === 0) return [];
  if (version < 4)
    return decodeMessageSet(records).map((m) => ({ offset: m.offset, value: m.value?.toString() ?? null }));
  const out: { offset: bigint; value: string | null }[] = [];
  for (const b of iterateBatches(records)) {
    for (const r of decodeRecords(b)) out.push({ offset: r.offset, value: r.value?.toString() ?? null });
  }
  return out;
}

beforeAll(async () => {
  broker = await startTestBroker();
  await createTopics([
    { topic: 'v-produce' },
    { topic: 'v-fetch' },
    { topic: 'v-fetch-zstd' },
    { topic: 'v-offsets' },
    { topic: 'v-sessions', numPartitions: 3 },
    { topic: 'v-limits', numPartitions: 2 },
    { topic: 'v-delete' },
    { topic: 'v-idem' },
    { topic: 'v-log-append', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
    { topic: 'v-txn' },
  ]);
  c = await CodecClient.open(broker.port);
});

afterAll(async () => {
  c?.close();
  await broker?.destroy();
});

describe('advertised versions', () => {
  it('advertises Kafka 3.9 ranges for the data-path APIs', async () => {
    const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, {
      clientSoftwareName: 'brook-test',
      clientSoftwareVersion: '1',
    });
    const range = (k: number) => res.apiKeys.find((a) => a.apiKey === k);
    expect(range(ApiKey.Produce)).toMatchObject({ minVersion: 0, maxVersion: 11 });
    expect(range(ApiKey.Fetch)).toMatchObject({ minVersion: 0, maxVersion: 17 });
    expect(range(ApiKey.ListOffsets)).toMatchObject({ minVersion: 0, maxVersion: 9 });
    expect(range(ApiKey.DeleteRecords)).toMatchObject({ minVersion: 0, maxVersion: 2 });
    expect(range(ApiKey.InitProducerId)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    expect(range(ApiKey.OffsetForLeaderEpoch)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    expect(range(ApiKey.DescribeProducers)).toMatchObject({ minVersion: 0, maxVersion: 0 });
  });
});

describe('Produce v0-11', () => {
  it('appends at every version with the right response fields', async () => {
    let expected = 0n;
    for (const v of range(0, 11)) {
      const records =
        v < 2
          ? encodeMessageSet([{ value: `p${v}` }], { magic: 0 })
          : v === 2
            ? encodeMessageSet([{ value: `p${v}` }], { magic: 1 })
            : buildRecordBatch({ records: [{ value: `p${v}` }] });
      const r = await produce('v-produce', records, v);
      expect(r.errorCode, `v${v}`).toBe(ErrorCode.NONE);
      expect(r.baseOffset, `v${v}`).toBe(expected++);
      if (v >= 2) expect(r.logAppendTimeMs).toBe(-1n);
      if (v >= 5) expect(r.logStartOffset).toBe(0n);
    }
  });

  it('reports the append time for LogAppendTime topics (v2+)', async () => {
    const before = BigInt(Date.now());
    const r = await produce('v-log-append', buildRecordBatch({ records: [{ value: 'x' }], timestamp: 5 }), 8);
    expect(r.logAppendTimeMs).toBeGreaterThanOrEqual(before);
  });

  it('sends nothing back for acks=0 and keeps later responses in order', async () => {
    const body = {
      transactionalId: null,
      acks: 0,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'v-produce',
          partitionData: [{ index: 0, records: buildRecordBatch({ records: [{ value: 'silent' }] }) }],
        },
      ],
    };
    const none = await c.requestRaw(ApiKey.Produce, 9, (w) => ProduceRequest.encode(w, body, 9), false);
    expect(none).toBeNull();
    const r = await produce('v-produce', buildRecordBatch({ records: [{ value: 'loud' }] }));
    expect(r.baseOffset).toBe(13n);
  });
});

describe('Fetch v0-17', () => {
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const codec = [CompressionType.None, CompressionType.Gzip, CompressionType.Lz4][i]!;
      await produce(
        'v-fetch',
        buildRecordBatch({ records: [0, 1].map((j) => ({ value: `f${i * 2 + j}` })), compression: codec }),
      );
    }
    await produce('v-fetch-zstd', buildRecordBatch({ records: [{ value: 'z' }], compression: CompressionType.Zstd }));
  });

  it.each(range(0, 17))('v%i returns every record with offsets and watermarks', async (v) => {
    const res = await c.request(FetchRequest, FetchResponse, v, fetchBody(v, [{ topic: 'v-fetch', fetchOffset: 0n }]));
    expect(res.errorCode ?? 0).toBe(0);
    const p = res.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.highWatermark).toBe(6n);
    if (v >= 4) expect(p.lastStableOffset).toBe(6n);
    if (v >= 5) expect(p.logStartOffset).toBe(0n);
    if (v >= 11) expect(p.preferredReadReplica).toBe(-1);
    if (v >= 13) expect(res.responses[0]!.topicId).toBe(topicId('v-fetch'));
    expect(values(v, p.records)).toEqual(range(0, 5).map((i) => ({ offset: BigInt(i), value: `f${i}` })));
  });

  it.each(range(0, 11))('v%i decodes with kafkajs (an independent client)', async (v) => {
    const wire = await WireConnection.open(broker.port);
    try {
      const p = await fetchOnce(wire, v, 'v-fetch', 0, 2n);
      expect(p.errorCode).toBe(0);
      // Compressed legacy wrappers may carry the earlier records of their set: keep offsets >= 2.
      const got = p.messages.filter((m) => BigInt(m.offset) >= 2n).map((m) => [m.offset, m.value?.toString()]);
      expect(got).toEqual(range(2, 5).map((i) => [String(i), `f${i}`]));
      if (v < 4) expect(p.messages.every((m) => m.magicByte === (v < 2 ? 0 : 1))).toBe(true);
    } finally {
      wire.close();
    }
  });

  it('answers UNSUPPORTED_COMPRESSION_TYPE for zstd down-conversion (v0-3) and serves it from v4', async () => {
    for (const v of range(0, 3)) {
      const res = await c.request(
        FetchRequest,
        FetchResponse,
        v,
        fetchBody(v, [{ topic: 'v-fetch-zstd', fetchOffset: 0n }]),
      );
      expect(res.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
    const res = await c.request(
      FetchRequest,
      FetchResponse,
      10,
      fetchBody(10, [{ topic: 'v-fetch-zstd', fetchOffset: 0n }]),
    );
    expect(values(10, res.responses[0]!.partitions[0]!.records)).toEqual([{ offset: 0n, value: 'z' }]);
  });

  it('answers UNKNOWN_TOPIC_ID for an unknown topic id (v13+) and fences leader epochs (v9+)', async () => {
    const res = await c.request(FetchRequest, FetchResponse, 13, {
      ...fetchBody(13, []),
      topics: [
        {
          topicId: '6d2f8a7e-0000-4000-8000-000000000001',
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 100 }],
        },
      ],
    });
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const body = fetchBody(12, [{ topic: 'v-fetch', fetchOffset: 0n }]);
    body.topics[0]!.partitions[0]!.currentLeaderEpoch = 7;
    expect((await c.request(FetchRequest, FetchResponse, 12, body)).responses[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_LEADER_EPOCH,
    );
  });
});

describe('fetch sessions (KIP-227)', () => {
  it('opens, updates incrementally, rejects bad epochs and closes', async () => {
    for (let p = 0; p < 3; p++) await produce('v-sessions', buildRecordBatch({ records: [{ value: `s${p}` }] }), 9, p);
    const parts = [0, 1, 2].map((partition) => ({ topic: 'v-sessions', partition, fetchOffset: 0n }));
    const full = await c.request(
      FetchRequest,
      FetchResponse,
      12,
      fetchBody(12, parts, { sessionId: 0, sessionEpoch: 0 }),
    );
    expect(full.sessionId).toBeGreaterThan(0);
    expect(full.responses[0]!.partitions).toHaveLength(3);
    const sessionId = full.sessionId!;

    // The client moves its positions; nothing new is there, so the answer is empty.
    const moved = [0, 1, 2].map((partition) => ({ topic: 'v-sessions', partition, fetchOffset: 1n }));
    const inc1 = await c.request(FetchRequest, FetchResponse, 12, fetchBody(12, moved, { sessionId, sessionEpoch: 1 }));
    expect(inc1.errorCode).toBe(0);
    expect(inc1.sessionId).toBe(sessionId);
    expect(inc1.responses).toEqual([]);

    // New data on partition 2 only: only partition 2 comes back, with no partitions listed in the request.
    await produce('v-sessions', buildRecordBatch({ records: [{ value: 'new' }] }), 9, 2);
    const inc2 = await c.request(FetchRequest, FetchResponse, 12, fetchBody(12, [], { sessionId, sessionEpoch: 2 }));
    expect(inc2.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([2]);
    expect(values(12, inc2.responses[0]!.partitions[0]!.records)).toEqual([{ offset: 1n, value: 'new' }]);

    const stale = await c.request(FetchRequest, FetchResponse, 12, fetchBody(12, [], { sessionId, sessionEpoch: 2 }));
    expect(stale.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    const unknown = await c.request(
      FetchRequest,
      FetchResponse,
      12,
      fetchBody(12, [], { sessionId: sessionId + 1, sessionEpoch: 1 }),
    );
    expect(unknown.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);

    // Forget partitions 0 and 1 (and move past 'new' on 2); an append to 0 is then not reported.
    const forget = await c.request(FetchRequest, FetchResponse, 12, {
      ...fetchBody(12, [{ topic: 'v-sessions', partition: 2, fetchOffset: 2n }], { sessionId, sessionEpoch: 3 }),
      forgottenTopicsData: [{ topic: 'v-sessions', partitions: [0, 1] }],
    });
    expect(forget.errorCode).toBe(0);
    await produce('v-sessions', buildRecordBatch({ records: [{ value: 'unseen' }] }), 9, 0);
    const inc4 = await c.request(FetchRequest, FetchResponse, 12, fetchBody(12, [], { sessionId, sessionEpoch: 4 }));
    expect(inc4.responses).toEqual([]);

    // A session keyed by topic ids cannot be used with names.
    const byId = await c.request(
      FetchRequest,
      FetchResponse,
      13,
      fetchBody(13, parts, { sessionId: 0, sessionEpoch: 0 }),
    );
    const mixed = await c.request(
      FetchRequest,
      FetchResponse,
      12,
      fetchBody(12, [], { sessionId: byId.sessionId!, sessionEpoch: 1 }),
    );
    expect(mixed.errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);

    const closed = await c.request(
      FetchRequest,
      FetchResponse,
      12,
      fetchBody(12, parts, { sessionId, sessionEpoch: -1 }),
    );
    expect(closed.sessionId).toBe(0);
    const gone = await c.request(FetchRequest, FetchResponse, 12, fetchBody(12, [], { sessionId, sessionEpoch: 5 }));
    expect(gone.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});

describe('long polling and byte limits', () => {
  it('waits up to maxWaitMs for minBytes and wakes on an append', async () => {
    const hw = (await produce('v-limits', buildRecordBatch({ records: [{ value: 'first' }] }))).baseOffset + 1n;
    const t0 = Date.now();
    const empty = await c.request(
      FetchRequest,
      FetchResponse,
      11,
      fetchBody(11, [{ topic: 'v-limits', fetchOffset: hw }], { maxWaitMs: 300 }),
    );
    const waited = Date.now() - t0;
    expect(values(11, empty.responses[0]!.partitions[0]!.records)).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(250);

    const other = await CodecClient.open(broker.port);
    try {
      const t1 = Date.now();
      const pending = c.request(
        FetchRequest,
        FetchResponse,
        11,
        fetchBody(11, [{ topic: 'v-limits', fetchOffset: hw }], { maxWaitMs: 10_000 }),
      );
      await new Promise((r) => setTimeout(r, 100));
      await other.request(ProduceRequest, ProduceResponse, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'v-limits',
            partitionData: [{ index: 0, records: buildRecordBatch({ records: [{ value: 'wake' }] }) }],
          },
        ],
      });
      const res = await pending;
      expect(Date.now() - t1).toBeLessThan(3000);
      expect(values(11, res.responses[0]!.partitions[0]!.records)).toEqual([{ offset: hw, value: 'wake' }]);
    } finally {
      other.close();
    }
  });

  it('honours partition and response maxBytes but always returns the first batch (v3+)', async () => {
    const big = 'b'.repeat(10_000);
    for (let i = 0; i < 3; i++)
      await produce('v-limits', buildRecordBatch({ records: [{ value: `${i}${big}` }] }), 9, 1);
    const count = async (v: number, partitionMaxBytes: number, maxBytes = 1 << 24) => {
      const res = await c.request(
        FetchRequest,
        FetchResponse,
        v,
        fetchBody(v, [{ topic: 'v-limits', partition: 1, fetchOffset: 0n, partitionMaxBytes }], { maxBytes }),
      );
      return values(v, res.responses[0]!.partitions[0]!.records).length;
    };
    expect(await count(11, 25_000)).toBe(2);
    expect(await count(11, 100)).toBe(1);
    expect(await count(11, 1 << 20, 100)).toBe(1);
    expect(await count(3, 25_000, 12_000)).toBe(1);
    expect(await count(17, 1 << 20)).toBe(3);

    // The response limit is shared: the first partition uses it up (its first batch is sent whole),
    // the second gets nothing this time.
    const res = await c.request(
      FetchRequest,
      FetchResponse,
      11,
      fetchBody(
        11,
        [
          { topic: 'v-limits', partition: 1, fetchOffset: 0n },
          { topic: 'v-limits', partition: 0, fetchOffset: 0n },
        ],
        { maxBytes: 10_000 },
      ),
    );
    const [p1, p0] = res.responses[0]!.partitions;
    expect(values(11, p1!.records)).toHaveLength(1);
    expect(values(11, p0!.records)).toHaveLength(0);
  });
});

describe('read_committed', () => {
  it('stops at the last stable offset and lists aborted transactions', async () => {
    // The transactional batch and its abort marker go straight into storage (as a transactional produce
    // and the coordinator's marker would write them), so this test fixes exactly where the last stable
    // offset sits without a coordinator in the way; test/transactions-*.test.ts drive the real thing.
    const log = broker.broker.state.logs.get('v-txn', 0)!;
    const pid = 900_000n;
    log.append(
      buildRecordBatch({
        records: [{ value: 'aborted-1' }, { value: 'aborted-2' }],
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
        isTransactional: true,
      }),
    );
    await produce('v-txn', buildRecordBatch({ records: [{ value: 'plain' }] }));
    const fetchAt = async (isolationLevel: number) => {
      const res = await c.request(
        FetchRequest,
        FetchResponse,
        11,
        fetchBody(11, [{ topic: 'v-txn', fetchOffset: 0n }], { isolationLevel }),
      );
      return res.responses[0]!.partitions[0]!;
    };
    const latest = async (isolationLevel: number) =>
      (
        await c.request(ListOffsetsRequest, ListOffsetsResponse, 5, {
          replicaId: -1,
          isolationLevel,
          topics: [{ name: 'v-txn', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
        })
      ).topics[0]!.partitions[0]!.offset;

    const open = await fetchAt(1);
    expect(open).toMatchObject({ highWatermark: 3n, lastStableOffset: 0n, abortedTransactions: [] });
    expect(values(11, open.records)).toEqual([]);
    const dirty = await fetchAt(0);
    expect(dirty.abortedTransactions).toBeNull();
    expect(values(11, dirty.records).map((r) => r.value)).toEqual(['aborted-1', 'aborted-2', 'plain']);
    expect(await latest(1)).toBe(0n);
    expect(await latest(0)).toBe(3n);

    appendTxnMarker(log, 'abort', pid, 0, 0);
    const decided = await fetchAt(1);
    expect(decided).toMatchObject({ highWatermark: 4n, lastStableOffset: 4n });
    expect(decided.abortedTransactions).toEqual([{ producerId: pid, firstOffset: 0n }]);
    expect(await latest(1)).toBe(4n);

    // A real read_committed consumer drops the aborted records.
    const kafka = new Kafka({ clientId: 'rc', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'rc-group', maxWaitTimeInMs: 200 });
    await consumer.connect();
    const got: string[] = [];
    try {
      await consumer.subscribe({ topic: 'v-txn', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
        },
      });
      const end = Date.now() + 30_000;
      while (got.length < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await consumer.disconnect();
    }
    expect(got).toEqual(['plain']);
  });
});

describe('ListOffsets v0-9', () => {
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) {
      await produce('v-offsets', buildRecordBatch({ records: [{ value: `o${i}`, timestamp: 1_000 + i * 100 }] }));
    }
  });
  const list = async (v: number, timestamp: bigint, maxNumOffsets?: number) => {
    const res = await c.request(ListOffsetsRequest, ListOffsetsResponse, v, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'v-offsets', partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets }] }],
    });
    return res.topics[0]!.partitions[0]!;
  };

  it('v0 answers with the old offsets array', async () => {
    expect((await list(0, -1n, 5)).oldStyleOffsets).toEqual([4n, 0n]);
    expect((await list(0, -2n, 1)).oldStyleOffsets).toEqual([0n]);
  });

  it.each(range(1, 9))('v%i finds earliest, latest and by timestamp', async (v) => {
    expect(await list(v, -2n)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
    expect(await list(v, -1n)).toMatchObject({ errorCode: 0, offset: 4n });
    expect(await list(v, 1_150n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: 1_200n });
    expect(await list(v, 9_999n)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
    if (v >= 4) expect((await list(v, -1n)).leaderEpoch).toBe(0);
    if (v >= 7) expect(await list(v, -3n)).toMatchObject({ offset: 3n, timestamp: 1_300n });
    if (v >= 8) expect(await list(v, -4n)).toMatchObject({ offset: 0n });
    if (v >= 9) expect(await list(v, -5n)).toMatchObject({ offset: -1n });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION and INVALID_REQUEST for duplicates', async () => {
    const res = await c.request(ListOffsetsRequest, ListOffsetsResponse, 7, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        { name: 'nope', partitions: [{ partitionIndex: 0, timestamp: -1n }] },
        {
          name: 'v-offsets',
          partitions: [
            { partitionIndex: 0, timestamp: -1n },
            { partitionIndex: 0, timestamp: -2n },
          ],
        },
      ],
    });
    expect(res.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(res.topics[1]!.partitions.map((p) => p.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
  });
});

describe('OffsetForLeaderEpoch v0-4, DeleteRecords v0-2, InitProducerId v0-5, DescribeProducers v0', () => {
  it.each(range(0, 4))('OffsetForLeaderEpoch v%i: epoch 0 ends at the log end', async (v) => {
    const res = await c.request(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, v, {
      replicaId: -1,
      topics: [
        {
          topic: 'v-fetch',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 },
            { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 },
            { partition: 5, currentLeaderEpoch: -1, leaderEpoch: 0 },
          ],
        },
      ],
    });
    const [cur, future, missing] = res.topics[0]!.partitions;
    expect(cur).toMatchObject({ errorCode: 0, endOffset: 6n });
    if (v >= 1) expect(cur!.leaderEpoch).toBe(0);
    expect(future).toMatchObject({ errorCode: 0, endOffset: -1n });
    expect(missing!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (v >= 2) {
      const fenced = await c.request(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, v, {
        replicaId: -1,
        topics: [{ topic: 'v-fetch', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }],
      });
      expect(fenced.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    }
  });

  it.each(range(0, 2))('DeleteRecords v%i advances the log start offset', async (v) => {
    await produce('v-delete', buildRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] }));
    const del = async (offset: bigint) =>
      (
        await c.request(DeleteRecordsRequest, DeleteRecordsResponse, v, {
          topics: [{ name: 'v-delete', partitions: [{ partitionIndex: 0, offset }] }],
          timeoutMs: 1000,
        })
      ).topics[0]!.partitions[0]!;
    const hw = BigInt((v + 1) * 2);
    expect(await del(hw + 1n)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(await del(hw - 1n)).toMatchObject({ errorCode: 0, lowWatermark: hw - 1n });
    expect(await del(-1n)).toMatchObject({ errorCode: 0, lowWatermark: hw });
  });

  it.each(range(0, 5))('InitProducerId v%i hands out fresh ids; transactional ids go to the coordinator', async (v) => {
    const init = (body: Partial<InitProducerIdRequest>) =>
      c.request(InitProducerIdRequest, InitProducerIdResponse, v, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        ...body,
      });
    const a = await init({});
    const b = await init({});
    expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(b.producerId).toBeGreaterThan(a.producerId);
    expect((await init({ transactionalId: `tx-${v}` })).errorCode).toBe(ErrorCode.NONE);
    if (v >= 3) {
      const bumped = await init({ producerId: a.producerId, producerEpoch: 0 });
      expect(bumped).toMatchObject({ errorCode: 0, producerId: a.producerId, producerEpoch: 1 });
      const stale = await init({ producerId: a.producerId, producerEpoch: 0 });
      expect(stale.errorCode).toBe(v >= 4 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH);
      expect((await init({ producerId: a.producerId, producerEpoch: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    }
  });

  it('DescribeProducers v0 lists the idempotent producers of a partition', async () => {
    const init = await c.request(InitProducerIdRequest, InitProducerIdResponse, 4, {
      transactionalId: null,
      transactionTimeoutMs: 1,
    });
    const idem = (baseSequence: number) =>
      buildRecordBatch({
        records: [{ value: 'i' }, { value: 'j' }],
        producerId: init.producerId,
        producerEpoch: init.producerEpoch,
        baseSequence,
        timestamp: 42,
      });
    expect((await produce('v-idem', idem(0))).baseOffset).toBe(0n);
    expect((await produce('v-idem', idem(2))).baseOffset).toBe(2n);
    // A retry of the first batch: success with the original offset.
    expect(await produce('v-idem', idem(0))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const res = await c.request(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [
        { name: 'v-idem', partitionIndexes: [0] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    expect(res.topics[0]!.partitions[0]).toMatchObject({
      errorCode: 0,
      activeProducers: [{ producerId: init.producerId, producerEpoch: 0, lastSequence: 3, lastTimestamp: 42n }],
    });
    expect(res.topics[1]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
