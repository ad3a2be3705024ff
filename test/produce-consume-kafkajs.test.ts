// kafkajs against a real Brook on a socket: keyed partitioning (Java murmur2), acks 0/1/-1, headers,
// null keys/values, 1 MB records, all compression codecs, idempotent re-sends stored once,
// DeleteRecords, offsets by timestamp, and reading back through Fetch (kafkajs decoding).
import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import './helpers/kafkajs-codecs.js';
import { keyPartition as javaPartition, murmur2 } from '../packages/cli/src/client/partitioner.js';
import { KafkajsLong, readPartition, WireConnection, type WireMessage } from './helpers/kafkajs-wire.js';

let broker: TestBroker;
let kafka: Kafka;
let wire: WireConnection;
const producers: Producer[] = [];

async function producer(opts: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const p = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    ...opts,
  });
  await p.connect();
  producers.push(p);
  return p;
}

async function createTopic(topic: string, numPartitions = 1, configEntries: { name: string; value: string }[] = []) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

const read = (topic: string, partition = 0, from = 0n): Promise<WireMessage[]> =>
  readPartition(wire, topic, partition, from);
const str = (b: Buffer | null | undefined) => (b == null ? null : b.toString());

beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  // No initial rebalance delay: the consumer-group read-back starts at once.
  broker = await startTestBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ clientId: 'brook-kafkajs-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  wire = await WireConnection.open(broker.port);
});

afterAll(async () => {
  wire?.close();
  for (const p of producers) await p.disconnect().catch(() => {});
  await broker?.destroy();
});

describe('kafkajs produce and consume', () => {
  it('puts each key on the partition Java murmur2 picks', async () => {
    // Kafka's own UtilsTest vectors first, so the reference itself is trusted.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);

    const topic = 'keyed';
    const partitions = 6;
    await createTopic(topic, partitions);
    const p = await producer();
    const keys = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0 ? `user-${i}` : `k${i * 7919}-${'x'.repeat(i % 5)}`,
    );
    await p.send({ topic, acks: -1, messages: keys.map((key, i) => ({ key, value: `v${i}` })) });

    const landed = new Map<string, number>();
    for (let part = 0; part < partitions; part++) {
      for (const m of await read(topic, part)) landed.set(str(m.key)!, part);
    }
    expect(landed.size).toBe(keys.length);
    for (const key of keys) expect(landed.get(key), key).toBe(javaPartition(Buffer.from(key), partitions));
  });

  it('acks 0, 1 and -1 all store the records', async () => {
    const topic = 'acks';
    await createTopic(topic);
    const p = await producer();
    for (const acks of [1, -1]) {
      const [res] = await p.send({ topic, acks, messages: [{ value: `acks=${acks}` }] });
      expect(res?.errorCode).toBe(0);
    }
    // acks=0: the broker sends no response; kafkajs resolves right away.
    await p.send({ topic, acks: 0, messages: [{ value: 'acks=0 a' }, { value: 'acks=0 b' }] });
    // Requests on one connection are handled in order, so an acks=1 send after it proves it landed.
    await p.send({ topic, acks: 1, messages: [{ value: 'after' }] });
    const values = (await read(topic)).map((m) => str(m.value));
    expect(values).toEqual(['acks=1', 'acks=-1', 'acks=0 a', 'acks=0 b', 'after']);
  });

  it('keeps headers, null keys and null values, and 1 MB records', async () => {
    const topic = 'shapes';
    await createTopic(topic, 1, [{ name: 'max.message.bytes', value: String(3 * 1024 * 1024) }]);
    const p = await producer();
    const big = Buffer.alloc(1024 * 1024, 7);
    big.write('start');
    await p.send({
      topic,
      acks: -1,
      messages: [
        { key: null, value: 'no key', headers: { a: '1', b: Buffer.from([0, 1, 2]) } },
        { key: 'tombstone', value: null },
        { key: null, value: null },
        { key: 'empty', value: Buffer.alloc(0), headers: { multi: ['x', 'y'] } },
      ],
    });
    await p.send({ topic, acks: -1, messages: [{ key: 'big', value: big }] });
    await p.send({ topic, acks: -1, messages: [{ key: 'after-big', value: 'ok' }] });

    const msgs = await read(topic);
    expect(msgs.map((m) => [str(m.key), m.value === null ? null : m.value.length])).toEqual([
      [null, 6],
      ['tombstone', null],
      [null, null],
      ['empty', 0],
      ['big', big.length],
      ['after-big', 2],
    ]);
    expect(str(msgs[0]!.headers!.a as Buffer)).toBe('1');
    expect([...(msgs[0]!.headers!.b as Buffer)]).toEqual([0, 1, 2]);
    expect((msgs[3]!.headers!.multi as Buffer[]).map(str)).toEqual(['x', 'y']);
    expect(Buffer.compare(msgs[4]!.value!, big)).toBe(0);
  });

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ])('accepts and returns %s batches', async (name, compression) => {
    const topic = `codec-${name}`;
    await createTopic(topic);
    const p = await producer();
    const messages = Array.from({ length: 50 }, (_, i) => ({
      key: `k${i}`,
      value: `${name} value ${i} ${'z'.repeat(i * 3)}`,
      headers: { i: String(i) },
    }));
    await p.send({ topic, acks: -1, compression, messages: messages.slice(0, 25) });
    await p.send({ topic, acks: 1, compression, messages: messages.slice(25) });
    const got = await read(topic);
    expect(got.map((m) => [str(m.key), str(m.value), str(m.headers!.i as Buffer)])).toEqual(
      messages.map((m) => [m.key, m.value, m.headers.i]),
    );
    expect(got.map((m) => Number(m.offset))).toEqual(messages.map((_, i) => i));
  });

  it('reads the same records back through a kafkajs consumer group', async () => {
    const topics = ['keyed', 'codec-gzip', 'codec-snappy', 'codec-lz4', 'codec-zstd', 'shapes'];
    const expected = new Map<string, string>();
    for (const topic of topics) {
      const partitions = topic === 'keyed' ? 6 : 1;
      for (let part = 0; part < partitions; part++) {
        for (const m of await read(topic, part))
          expected.set(`${topic}/${part}/${m.offset}`, m.value?.toString('base64') ?? 'null');
      }
    }
    const consumer = kafka.consumer({
      groupId: 'data-path-readback',
      maxBytesPerPartition: 2 * 1024 * 1024,
      // disconnect() waits for the running long poll.
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    const got = new Map<string, string>();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          got.set(`${topic}/${partition}/${message.offset}`, message.value?.toString('base64') ?? 'null');
        },
      });
      const end = Date.now() + 60_000;
      while (got.size < expected.size && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await consumer.disconnect();
    }
    expect(got.size).toBe(expected.size);
    expect(got).toEqual(expected);
  });

  it('stores a re-sent idempotent batch once and keeps the original offsets', async () => {
    const topic = 'idempotent';
    await createTopic(topic);
    // A kafkajs idempotent producer first: InitProducerId + sequenced batches.
    const p = await producer({ idempotent: true, maxInFlightRequests: 1 });
    await p.send({ topic, acks: -1, messages: [{ value: 'i0' }, { value: 'i1' }] });
    await p.send({ topic, acks: -1, messages: [{ value: 'i2' }] });

    // Then the exact same Produce request twice on a raw socket (kafkajs's encoder, fixed timestamps).
    const init = await wire.send<{ errorCode: number; producerId: string; producerEpoch: number }>(
      'initProducerId',
      0,
      { transactionalId: null, transactionTimeout: 60_000 },
    );
    expect(init.errorCode).toBe(0);
    const produceArgs = (firstSequence: number, values: string[]) => ({
      acks: -1,
      timeout: 5000,
      producerId: KafkajsLong.fromString(init.producerId),
      producerEpoch: init.producerEpoch,
      topicData: [
        {
          topic,
          partitions: [
            { partition: 0, firstSequence, messages: values.map((value) => ({ value, timestamp: 1_700_000_000_000 })) },
          ],
        },
      ],
    });
    type ProduceV3 = { topics: Array<{ partitions: Array<{ errorCode: number; baseOffset: string }> }> };
    const first = await wire.send<ProduceV3>('produce', 3, produceArgs(0, ['r0', 'r1', 'r2']));
    const again = await wire.send<ProduceV3>('produce', 3, produceArgs(0, ['r0', 'r1', 'r2']));
    expect(first.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '3' });
    expect(again.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '3' });
    // A gap in the sequence is refused.
    const gap = await wire.send<ProduceV3>('produce', 3, produceArgs(7, ['gap']));
    expect(gap.topics[0]!.partitions[0]!.errorCode).toBe(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
    const next = await wire.send<ProduceV3>('produce', 3, produceArgs(3, ['r3']));
    expect(next.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '6' });

    expect((await read(topic)).map((m) => str(m.value))).toEqual(['i0', 'i1', 'i2', 'r0', 'r1', 'r2', 'r3']);
  });

  it('deletes records with admin.deleteTopicRecords', async () => {
    const topic = 'delete-records';
    await createTopic(topic);
    const p = await producer();
    await p.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `d${i}` })) });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // kafkajs's deleteTopicRecords needs the topic's metadata loaded first.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
      const [offsets] = await admin.fetchTopicOffsets(topic);
      expect(offsets).toMatchObject({ partition: 0, low: '4', high: '10' });
      // -1 means "up to the high watermark".
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] });
      expect((await admin.fetchTopicOffsets(topic))[0]).toMatchObject({ low: '10', high: '10' });
    } finally {
      await admin.disconnect();
    }
    await p.send({ topic, acks: -1, messages: [{ value: 'after delete' }] });
    expect((await read(topic, 0, 10n)).map((m) => [m.offset, str(m.value)])).toEqual([['10', 'after delete']]);
  });

  it('finds offsets by timestamp with admin.fetchTopicOffsetsByTimestamp', async () => {
    const topic = 'by-time';
    await createTopic(topic);
    const p = await producer();
    const base = 1_600_000_000_000;
    await p.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ value: `t${i}`, timestamp: String(base + i * 1000) })),
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const at = async (ts: number) => (await admin.fetchTopicOffsetsByTimestamp(topic, ts))[0]?.offset;
      expect(await at(base + 10_000)).toBe('10');
      expect(await at(base + 10_500)).toBe('11');
      expect(await at(base - 1)).toBe('0');
      // Past the last timestamp kafkajs falls back to the latest offset.
      expect(await at(base + 100_000)).toBe('20');
    } finally {
      await admin.disconnect();
    }
  });
});
