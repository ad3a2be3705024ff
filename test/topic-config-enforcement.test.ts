// Topic configs Brook used to accept and ignore, now enforced as Kafka 3.9 does, over real sockets:
// min.insync.replicas (acks=-1 → NOT_ENOUGH_REPLICAS), message.downconversion.enable (Fetch v0-3 →
// UNSUPPORTED_VERSION), compression.type (batches recompressed to the topic's codec at its level, and
// Fetch < v10 refused on a zstd topic), and the Kafka 3.9 topic keys that had been rejected
// (tiered-storage, throttling, deprecated format/timestamp keys) with their defaults.
import { gzipSync } from 'node:zlib';
import { type Broker, startBroker } from '@brook/broker';
import {
  buildRecordBatch,
  CompressionType,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  decodeRecords,
  ErrorCode,
  FetchRequest,
  FetchResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  iterateBatches,
  ProduceRequest,
  ProduceResponse,
  type RecordBatchView,
  recordsSection,
  zstdCompress,
} from '@brook/protocol';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import './helpers/kafkajs-codecs.js';

let broker: Broker;
let c: CodecClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null });
  c = await CodecClient.open(broker.port);
});
afterAll(async () => {
  c?.close();
  await broker?.close();
});

async function createTopic(name: string, configs: Record<string, string> = {}) {
  const res = await c.request(CreateTopicsRequest, CreateTopicsResponse, 5, {
    topics: [
      {
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  return res.topics[0]!;
}

async function produce(topic: string, records: Buffer, acks = -1, version = 9) {
  const res = await c.request(ProduceRequest, ProduceResponse, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

async function fetchPartitions(version: number, topics: string[], fetchOffset = 0n) {
  const res = await c.request(FetchRequest, FetchResponse, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 24,
    isolationLevel: 0,
    topics: topics.map((topic) => ({
      ...(version >= 13 ? { topicId: broker.state.topics.get(topic)!.topicId } : { topic }),
      partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }],
    })),
  });
  expect(res.errorCode).toBe(0);
  return res.responses.map((t) => t.partitions[0]!);
}

/** The batches of a topic as stored (Fetch v12 serves stored bytes unchanged). */
async function storedBatches(topic: string): Promise<RecordBatchView[]> {
  const [p] = await fetchPartitions(12, [topic]);
  expect(p!.errorCode).toBe(0);
  return [...iterateBatches(p!.records!)];
}

const records = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    key: `${prefix}-k${i}`,
    value: `${prefix}-value-${i}-${'x'.repeat(200)}`,
    headers: [{ key: 'h', value: Buffer.from([i, 0xff, 0]) }],
    timestamp: 1_700_000_000_000 + i * 1000,
  }));

const plain = (b: RecordBatchView) =>
  decodeRecords(b).map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
    headers: r.headers.map((h) => [h.key, h.value?.toString('hex')]),
  }));

describe('min.insync.replicas', () => {
  it('acks=-1 gets NOT_ENOUGH_REPLICAS while min.insync.replicas > 1 (the ISR is this broker); acks=1 appends', async () => {
    expect((await createTopic('isr-2', { 'min.insync.replicas': '2' })).errorCode).toBe(0);
    const batch = () => buildRecordBatch({ records: [{ value: 'v' }] });
    const refused = await produce('isr-2', batch(), -1);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(refused.errorMessage).toBe(
      'The size of the current ISR Set(1) is insufficient to satisfy the min.isr requirement of 2 for partition isr-2-0',
    );
    expect(broker.state.logs.get('isr-2', 0)!.logEndOffset).toBe(0n);
    const ok = await produce('isr-2', batch(), 1);
    expect([ok.errorCode, ok.baseOffset]).toEqual([0, 0n]);

    // Back to 1: acks=-1 works again (the policy follows config changes).
    const alter = await c.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'isr-2',
          configs: [{ name: 'min.insync.replicas', configOperation: 1, value: null }],
        },
      ],
      validateOnly: false,
    });
    expect(alter.responses[0]!.errorCode).toBe(0);
    const after = await produce('isr-2', batch(), -1);
    expect([after.errorCode, after.baseOffset]).toEqual([0, 1n]);
  });

  it('kafkajs with acks=-1 fails on such a topic, and succeeds with acks=1', async () => {
    expect((await createTopic('isr-3', { 'min.insync.replicas': '3' })).errorCode).toBe(0);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'isr-3', acks: -1, messages: [{ value: 'a' }] })).rejects.toThrow(
        /in-sync replicas|NOT_ENOUGH_REPLICAS/i,
      );
      const [r] = await producer.send({ topic: 'isr-3', acks: 1, messages: [{ value: 'b' }] });
      expect(r!.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });
});

describe('message.downconversion.enable=false', () => {
  it('Fetch v0-3 answers UNSUPPORTED_VERSION for that topic only; v4+ serve it', async () => {
    await createTopic('nodown', { 'message.downconversion.enable': 'false' });
    await createTopic('down-ok');
    for (const t of ['nodown', 'down-ok']) {
      expect((await produce(t, buildRecordBatch({ records: [{ value: `in-${t}` }] }))).errorCode).toBe(0);
    }
    for (let v = 0; v <= 3; v++) {
      const [off, on] = await fetchPartitions(v, ['nodown', 'down-ok']);
      expect([off!.errorCode, off!.highWatermark, off!.records?.length ?? 0]).toEqual([
        ErrorCode.UNSUPPORTED_VERSION,
        -1n,
        0,
      ]);
      expect([on!.errorCode, on!.highWatermark]).toEqual([0, 1n]);
      expect(on!.records!.length).toBeGreaterThan(0);
    }
    const [v4] = await fetchPartitions(4, ['nodown']);
    expect(v4!.errorCode).toBe(0);
    expect([...iterateBatches(v4!.records!)].flatMap((b) => plain(b).map((r) => r.value))).toEqual(['in-nodown']);
  });
});

describe('compression.type', () => {
  const codecs = [
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
    ['uncompressed', CompressionType.None],
  ] as const;

  it('recompresses produced batches to the topic codec, keeping records and producer fields', async () => {
    for (const [name, codec] of codecs) {
      const topic = `codec-${name}`;
      expect((await createTopic(topic, { 'compression.type': name })).errorCode).toBe(0);
      // Sent in another codec (gzip, or none for the gzip topic), idempotent, with headers and timestamps.
      const sentCodec = codec === CompressionType.Gzip ? CompressionType.None : CompressionType.Gzip;
      const sent = buildRecordBatch({
        records: records(5, name),
        compression: sentCodec,
        producerId: 4242n,
        producerEpoch: 3,
        baseSequence: 0,
      });
      const r = await produce(topic, sent);
      expect([r.errorCode, r.baseOffset]).toEqual([0, 0n]);
      // A retry of the same batch is recognised as a duplicate (sequence kept through the rebuild).
      const retry = await produce(topic, sent);
      expect([retry.errorCode, retry.baseOffset]).toEqual([0, 0n]);

      const [stored, ...more] = await storedBatches(topic);
      expect(more).toHaveLength(0);
      expect(stored!.compression).toBe(codec);
      expect([stored!.producerId, stored!.producerEpoch, stored!.baseSequence, stored!.recordCount]).toEqual([
        4242n,
        3,
        0,
        5,
      ]);
      expect(stored!.maxTimestamp).toBe(BigInt(1_700_000_000_000 + 4000));
      const expected = records(5, name).map((x, i) => ({
        offset: BigInt(i),
        timestamp: BigInt(x.timestamp),
        key: x.key,
        value: x.value,
        headers: [['h', x.headers[0]!.value.toString('hex')]],
      }));
      expect(plain(stored!)).toEqual(expected);
    }
  });

  it('a kafkajs consumer reads the recompressed records intact', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'codec-snappy',
      compression: CompressionTypes.LZ4,
      messages: [
        { key: 'kj-1', value: 'kafkajs one', headers: { a: 'b' } },
        { key: 'kj-2', value: 'kafkajs two' },
      ],
    });
    await producer.disconnect();
    const [, second] = await storedBatches('codec-snappy');
    expect(second!.compression).toBe(CompressionType.Snappy);

    const consumer = kafka.consumer({ groupId: 'codec-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'codec-snappy', fromBeginning: true });
    const seen: { key: string; value: string; headers: Record<string, string> }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push({
              key: message.key!.toString(),
              value: message.value!.toString(),
              headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            });
            if (seen.length === 7) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen.slice(0, 5).map((m) => m.key)).toEqual(records(5, 'snappy').map((x) => x.key));
    expect(seen.slice(5)).toEqual([
      { key: 'kj-1', value: 'kafkajs one', headers: { a: 'b' } },
      { key: 'kj-2', value: 'kafkajs two', headers: {} },
    ]);
  });

  it('applies compression.gzip.level and compression.zstd.level', async () => {
    for (const [codec, level] of [
      ['gzip', '1'],
      ['gzip', '9'],
      ['zstd', '1'],
      ['zstd', '19'],
    ] as const) {
      const topic = `level-${codec}-${level}`;
      await createTopic(topic, { 'compression.type': codec, [`compression.${codec}.level`]: level });
      expect((await produce(topic, buildRecordBatch({ records: records(50, topic) }))).errorCode).toBe(0);
      const [stored] = await storedBatches(topic);
      const section = recordsSection(stored!);
      const expected =
        codec === 'gzip' ? gzipSync(section, { level: Number(level) }) : zstdCompress(section, Number(level));
      expect(stored!.recordsPayload.equals(expected)).toBe(true);
    }
  });

  it('follows the broker default compression.type for topics without an override', async () => {
    await createTopic('codec-inherit');
    const setDefault = (value: string | null) =>
      c.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
        resources: [
          {
            resourceType: 4,
            resourceName: '',
            configs: [{ name: 'compression.type', configOperation: value === null ? 1 : 0, value }],
          },
        ],
        validateOnly: false,
      });
    expect((await setDefault('lz4')).responses[0]!.errorCode).toBe(0);
    await produce('codec-inherit', buildRecordBatch({ records: [{ value: 'one' }] }));
    expect((await setDefault(null)).responses[0]!.errorCode).toBe(0);
    await produce('codec-inherit', buildRecordBatch({ records: [{ value: 'two' }] }));
    expect((await storedBatches('codec-inherit')).map((b) => b.compression)).toEqual([
      CompressionType.Lz4,
      CompressionType.None,
    ]);
  });

  it('a corrupt batch is refused on the recompression path', async () => {
    const bad = buildRecordBatch({ records: [{ value: 'crc' }] });
    bad[bad.length - 1]! ^= 0xff;
    expect((await produce('codec-gzip', bad)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('Fetch before v10 on a compression.type=zstd topic answers UNSUPPORTED_COMPRESSION_TYPE', async () => {
    for (const v of [0, 3, 4, 9]) {
      const [p] = await fetchPartitions(v, ['codec-zstd']);
      expect([v, p!.errorCode]).toEqual([v, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE]);
    }
    const [p10] = await fetchPartitions(10, ['codec-zstd']);
    expect(p10!.errorCode).toBe(0);
    expect(p10!.records!.length).toBeGreaterThan(0);
  });
});

describe('Kafka 3.9 topic keys Brook used to reject', () => {
  const describeTopic = async (name: string, keys: string[]) =>
    (
      await c.request(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
        resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }],
        includeSynonyms: false,
        includeDocumentation: false,
      })
    ).results[0]!.configs.map((e) => [e.name, e.value, e.configSource]);

  const defaults: [string, string][] = [
    ['follower.replication.throttled.replicas', ''],
    ['leader.replication.throttled.replicas', ''],
    ['local.retention.bytes', '-2'],
    ['local.retention.ms', '-2'],
    ['message.format.version', '3.0-IV1'],
    ['message.timestamp.difference.max.ms', '9223372036854775807'],
    ['remote.log.copy.disable', 'false'],
    ['remote.log.delete.on.disable', 'false'],
    ['remote.storage.enable', 'false'],
  ];

  it('describes them with Kafka defaults, and accepts and describes overrides', async () => {
    await createTopic('keys-default');
    const keys = defaults.map(([k]) => k);
    const got = await describeTopic('keys-default', keys);
    expect(got.sort()).toEqual(defaults.map(([k, v]) => [k, v, 5]).sort());

    const overrides: Record<string, string> = {
      'follower.replication.throttled.replicas': '0:1',
      'leader.replication.throttled.replicas': '*',
      'local.retention.bytes': '1000',
      'local.retention.ms': '-2',
      'message.format.version': '2.8',
      'message.timestamp.difference.max.ms': '3600000',
      'remote.log.copy.disable': 'true',
      'remote.log.delete.on.disable': 'true',
      'remote.storage.enable': 'false',
    };
    expect((await createTopic('keys-set', overrides)).errorCode).toBe(0);
    expect((await describeTopic('keys-set', keys)).sort()).toEqual(
      Object.entries(overrides)
        .map(([k, v]) => [k, v, 1])
        .sort(),
    );
  });

  it('refuses remote.storage.enable=true (no tiered storage) and malformed values with INVALID_CONFIG', async () => {
    const tiered = await createTopic('keys-tiered', { 'remote.storage.enable': 'true' });
    expect(tiered.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(tiered.errorMessage).toContain(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
    const alter = await c.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'keys-default',
          configs: [{ name: 'remote.storage.enable', configOperation: 0, value: 'true' }],
        },
      ],
      validateOnly: false,
    });
    expect(alter.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    for (const [k, v] of [
      ['leader.replication.throttled.replicas', 'abc'],
      ['message.format.version', '9.9-bogus'],
      ['local.retention.ms', '-3'],
    ]) {
      expect((await createTopic(`keys-bad-${k}`, { [k!]: v! })).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    }
  });

  it('honours message.timestamp.difference.max.ms where the newer before/after keys are unset', async () => {
    await createTopic('ts-diff', { 'message.timestamp.difference.max.ms': '60000' });
    await createTopic('ts-diff-before', {
      'message.timestamp.difference.max.ms': '60000',
      'message.timestamp.before.max.ms': '7200000',
    });
    const at = (ms: number) => buildRecordBatch({ records: [{ value: 'v', timestamp: Date.now() + ms }] });
    const HOUR = 3_600_000;
    expect((await produce('ts-diff', at(-HOUR))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce('ts-diff', at(HOUR))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce('ts-diff', at(-1000))).errorCode).toBe(0);
    // The newer key wins where it is set; the deprecated one still bounds the other side.
    expect((await produce('ts-diff-before', at(-HOUR))).errorCode).toBe(0);
    expect((await produce('ts-diff-before', at(HOUR))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  });
});
