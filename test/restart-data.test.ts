// Produce, close the broker, start a new one on the same data dir: every record is back at the same
// offset with the same bytes, deleted records stay deleted, and producer ids / idempotence state survive.
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker, tempDataDir } from './helpers/data-broker.js';
import { KafkajsLong, readPartition, WireConnection, type WireMessage } from './helpers/kafkajs-wire.js';

const TOPIC = 'restart';
const PARTITIONS = 3;
const dataDir = tempDataDir('brook-restart-');
let broker: TestBroker | null = null;

afterAll(async () => {
  await broker?.destroy();
});

interface Snapshot {
  partitions: Array<Array<[string, string | null, string | null, string | undefined]>>;
}

async function snapshot(port: number): Promise<Snapshot> {
  const wire = await WireConnection.open(port);
  try {
    const partitions = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const msgs: WireMessage[] = await readPartition(wire, TOPIC, p, p === 0 ? 5n : 0n);
      partitions.push(
        msgs.map(
          (m) =>
            [m.offset, m.key?.toString('hex') ?? null, m.value?.toString('hex') ?? null, m.timestamp] as [
              string,
              string | null,
              string | null,
              string | undefined,
            ],
        ),
      );
    }
    return { partitions };
  } finally {
    wire.close();
  }
}

type ProduceV3 = { topics: Array<{ partitions: Array<{ errorCode: number; baseOffset: string }> }> };

describe('restart on the same data dir', () => {
  it('brings every record back at the same offset', async () => {
    broker = await startTestBroker({ dataDir });
    const kafka = new Kafka({ clientId: 'restart', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    for (let round = 0; round < 6; round++) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        compression: round % 2 === 0 ? CompressionTypes.None : CompressionTypes.GZIP,
        messages: Array.from({ length: 40 }, (_, i) => ({
          key: `k-${round}-${i}`,
          value: i % 9 === 0 ? null : `round ${round} message ${i}`,
          headers: { round: String(round) },
        })),
      });
    }
    await producer.disconnect();
    await admin.fetchTopicMetadata({ topics: [TOPIC] });
    await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '5' }] });
    const offsetsBefore = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();

    // A raw idempotent batch whose retry after the restart must be recognised as a duplicate.
    const wire = await WireConnection.open(broker.port);
    const init = await wire.send<{ errorCode: number; producerId: string; producerEpoch: number }>(
      'initProducerId',
      0,
      {
        transactionalId: null,
        transactionTimeout: 60_000,
      },
    );
    const produceArgs = {
      acks: -1,
      timeout: 5000,
      producerId: KafkajsLong.fromString(init.producerId),
      producerEpoch: init.producerEpoch,
      topicData: [
        { topic: TOPIC, partitions: [{ partition: 1, firstSequence: 0, messages: [{ value: 'idem', timestamp: 1 }] }] },
      ],
    };
    const first = await wire.send<ProduceV3>('produce', 3, produceArgs);
    expect(first.topics[0]!.partitions[0]!.errorCode).toBe(0);
    wire.close();

    const before = await snapshot(broker.port);
    expect(before.partitions.flat().length).toBe(6 * 40 - 5 + 1);
    await broker.stop();

    broker = await startTestBroker({ dataDir });
    const after = await snapshot(broker.port);
    expect(after).toEqual(before);

    const kafka2 = new Kafka({ clientId: 'restart-2', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin2 = kafka2.admin();
    await admin2.connect();
    const offsetsAfter = await admin2.fetchTopicOffsets(TOPIC);
    await admin2.disconnect();
    expect(offsetsAfter.sort((a, b) => a.partition - b.partition)).toEqual(
      offsetsBefore
        // Partition 1 also holds the raw idempotent record produced after offsetsBefore was taken.
        .map((o) =>
          o.partition === 1 ? { ...o, high: String(Number(o.high) + 1), offset: String(Number(o.offset) + 1) } : o,
        )
        .sort((a, b) => a.partition - b.partition),
    );
    expect(offsetsAfter.find((o) => o.partition === 0)?.low).toBe('5');

    const wire2 = await WireConnection.open(broker.port);
    try {
      // The retry is a duplicate: same offset, nothing new stored.
      const retry = await wire2.send<ProduceV3>('produce', 3, produceArgs);
      expect(retry.topics[0]!.partitions[0]).toEqual(first.topics[0]!.partitions[0]);
      // Producer ids are never handed out twice.
      const init2 = await wire2.send<{ producerId: string }>('initProducerId', 0, {
        transactionalId: null,
        transactionTimeout: 60_000,
      });
      expect(BigInt(init2.producerId)).toBeGreaterThan(BigInt(init.producerId));
    } finally {
      wire2.close();
    }
    expect(await snapshot(broker.port)).toEqual(before);
  });
});

describe('flush before acknowledging', () => {
  it('acknowledges after fsync with brook.fsync.before.ack and with flush.messages=1', async () => {
    const dir = tempDataDir('brook-fsync-');
    let b = await startTestBroker({ dataDir: dir, config: { 'brook.fsync.before.ack': true } });
    try {
      const kafka = new Kafka({ clientId: 'fsync', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          { topic: 'fsync-all' },
          { topic: 'flush-each', configEntries: [{ name: 'flush.messages', value: '1' }] },
        ],
      });
      await admin.disconnect();
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) {
        await producer.send({ topic: i % 2 ? 'fsync-all' : 'flush-each', acks: -1, messages: [{ value: `f${i}` }] });
      }
      console.log(`[fsync] 50 fsynced acks=-1 sends: ${((performance.now() - t0) / 50).toFixed(2)} ms each`);
      await producer.disconnect();
      await b.stop();
      b = await startTestBroker({ dataDir: dir });
      const wire = await WireConnection.open(b.port);
      try {
        expect((await readPartition(wire, 'fsync-all', 0)).length).toBe(25);
        expect((await readPartition(wire, 'flush-each', 0)).length).toBe(25);
      } finally {
        wire.close();
      }
    } finally {
      await b.destroy();
    }
  });
});
