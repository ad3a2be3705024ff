// Hostile or broken Produce/Fetch input over a raw socket (Brook's codec): each case gets its Kafka
// error code, nothing half-written is stored, and a separate kafkajs client keeps working afterwards.
import {
  buildRecordBatch,
  CompressionType,
  ErrorCode,
  encodeMessageSet,
  FetchRequest,
  FetchResponse,
  ProduceRequest,
  ProduceResponse,
} from '@brook/protocol';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { readPartition, WireConnection } from './helpers/kafkajs-wire.js';

let broker: TestBroker;
let raw: CodecClient;
let kafka: Kafka;
let check = 0;

const TOPIC = 'victim';
const SMALL = 'small-messages';
const STRICT_TIME = 'strict-timestamps';

function batch(values: string[], extra: Partial<Parameters<typeof buildRecordBatch>[0]> = {}): Buffer {
  return buildRecordBatch({ records: values.map((value) => ({ key: 'k', value })), ...extra });
}

async function produce(
  records: Buffer | null,
  opts: { topic?: string; version?: number; acks?: number; partition?: number } = {},
) {
  const version = opts.version ?? 9;
  const res = await raw.request(ProduceRequest, ProduceResponse, version, {
    transactionalId: null,
    acks: opts.acks ?? -1,
    timeoutMs: 5000,
    topicData: [{ name: opts.topic ?? TOPIC, partitionData: [{ index: opts.partition ?? 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

/** A second, unrelated client still produces and reads back normally. */
async function stillHealthy(): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = `healthy-${++check}`;
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'ok', value }] });
  } finally {
    await producer.disconnect();
  }
  const wire = await WireConnection.open(broker.port);
  try {
    const values = (await readPartition(wire, TOPIC, 0)).map((m) => m.value?.toString());
    expect(values).toContain(value);
    expect(values.every((v) => v?.startsWith('healthy-') || v?.startsWith('good'))).toBe(true);
  } finally {
    wire.close();
  }
}

beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: 'brook-bad-input', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: TOPIC, numPartitions: 1 },
      { topic: SMALL, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] },
      {
        topic: STRICT_TIME,
        numPartitions: 1,
        configEntries: [
          { name: 'message.timestamp.before.max.ms', value: '60000' },
          { name: 'message.timestamp.after.max.ms', value: '60000' },
        ],
      },
    ],
  });
  await admin.disconnect();
  raw = await CodecClient.open(broker.port);
});

afterAll(async () => {
  raw?.close();
  await broker?.destroy();
});

describe('bad produce input', () => {
  it('accepts a good batch first', async () => {
    const r = await produce(batch(['good-0', 'good-1']));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.baseOffset).toBe(0n);
  });

  it('answers CORRUPT_MESSAGE for a flipped byte (bad CRC)', async () => {
    const b = batch(['good-but-flipped']);
    b[b.length - 3]! ^= 0xff;
    const r = await produce(b);
    expect(r.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await stillHealthy();
  });

  it('answers CORRUPT_MESSAGE for a truncated batch and for garbage', async () => {
    const b = batch(['truncated value']);
    expect((await produce(b.subarray(0, b.length - 7))).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect((await produce(b.subarray(0, 30))).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const garbage = Buffer.alloc(200, 0xab);
    expect((await produce(garbage)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    // A batch length field that lies (bigger than the bytes sent).
    const lying = Buffer.from(batch(['liar']));
    lying.writeInt32BE(lying.readInt32BE(8) + 1000, 8);
    expect((await produce(lying)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await stillHealthy();
  });

  it('refuses invalid topic names and unknown topics/partitions', async () => {
    for (const name of ['bad topic!', '..', 'x'.repeat(250), '']) {
      expect((await produce(batch(['x']), { topic: name })).errorCode, name).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    }
    expect((await produce(batch(['x']), { topic: 'never-created' })).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect((await produce(batch(['x']), { partition: 7 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await stillHealthy();
  });

  it('answers MESSAGE_TOO_LARGE for a batch over max.message.bytes', async () => {
    const r = await produce(batch(['y'.repeat(2000)]), { topic: SMALL });
    expect(r.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await produce(batch(['fits']), { topic: SMALL })).errorCode).toBe(ErrorCode.NONE);
    await stillHealthy();
  });

  it('answers INVALID_TIMESTAMP outside message.timestamp.before/after.max.ms', async () => {
    const now = Date.now();
    const at = (timestamp: number) => batch(['t'], { timestamp });
    expect((await produce(at(now + 3_600_000), { topic: STRICT_TIME })).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce(at(now - 3_600_000), { topic: STRICT_TIME })).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce(at(now), { topic: STRICT_TIME })).errorCode).toBe(ErrorCode.NONE);
    // Topics without limits take any timestamp (Kafka 3.9 defaults).
    expect((await produce(batch(['good-old'], { timestamp: 1 }))).errorCode).toBe(ErrorCode.NONE);
    await stillHealthy();
  });

  it('answers CORRUPT_MESSAGE for a legacy message set with a bad CRC (v2)', async () => {
    const set = Buffer.from(encodeMessageSet([{ value: 'legacy-flipped' }], { magic: 1 }));
    set[set.length - 2]! ^= 0xff;
    expect((await produce(set, { version: 2 })).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await stillHealthy();
  });

  it('enforces the per-version record rules', async () => {
    // v3+: exactly one v2 batch.
    const two = Buffer.concat([batch(['a']), batch(['b'])]);
    expect((await produce(two)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    // v3+: no legacy message sets.
    const legacy = encodeMessageSet([{ value: 'old' }], { magic: 1 });
    expect((await produce(legacy)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    // zstd needs Produce v7+.
    const zstd = batch(['z'], { compression: CompressionType.Zstd });
    expect((await produce(zstd, { version: 6 })).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    // No records at all.
    expect((await produce(null)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produce(Buffer.alloc(0))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    // Clients may not write control batches.
    const control = batch(['c'], { isControl: true });
    expect([ErrorCode.INVALID_RECORD, ErrorCode.CORRUPT_MESSAGE]).toContain((await produce(control)).errorCode);
    // acks must be -1, 0 or 1.
    expect((await produce(batch(['a']), { acks: 2 })).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    await stillHealthy();
  });

  it('stores legacy message sets sent with Produce v0-2', async () => {
    for (const [version, magic] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ] as const) {
      const set = encodeMessageSet([{ key: 'k', value: `good-legacy-v${version}` }], { magic });
      const r = await produce(set, { version });
      expect(r.errorCode, `v${version}`).toBe(ErrorCode.NONE);
    }
    await stillHealthy();
  });

  it('answers fetch errors per partition', async () => {
    const fetch = (topic: string, partition: number, fetchOffset: bigint) =>
      raw.request(FetchRequest, FetchResponse, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20, logStartOffset: -1n }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
    const out = await fetch(TOPIC, 0, 1_000_000n);
    const p = out.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(p.highWatermark).toBeGreaterThan(0n);
    expect(p.logStartOffset).toBe(0n);
    expect((await fetch('never-created', 0, 0n)).responses[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect((await fetch(TOPIC, 9, 0n)).responses[0]!.partitions[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    await stillHealthy();
  });
});
