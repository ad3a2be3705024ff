// Embedded mode as a test suite uses it: startBroker({ port: 0 }) in-process (in-memory storage),
// kafkajs against it, broker.reset() between tests, close() at the end. The second test sees a
// clean broker even though the first left topics, records and a consumer group behind.
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let broker: Broker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await startBroker({ port: 0, dataDir: null });
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'embedded-test', logLevel: logLevel.NOTHING });
  producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
});

// kafkajs's admin keeps refreshing metadata of every topic it has touched and fails once they are
// gone, so it is made per test (cheap); producers re-fetch metadata on their own.
beforeEach(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterEach(async () => {
  await Promise.all([...consumers.splice(0).map((c) => c.disconnect()), admin.disconnect()]);
  await broker.reset();
});

afterAll(async () => {
  await producer?.disconnect();
  await broker?.close();
});

/** Subscribes a fresh group consumer and resolves with the first `n` values and the time to the first one. */
async function consumeFirst(topic: string, groupId: string, n: number): Promise<{ values: string[]; firstMs: number }> {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  const started = performance.now();
  let firstMs = -1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${values.length} of ${n} records after 10 s`)), 10_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (firstMs < 0) firstMs = performance.now() - started;
          values.push(message.value?.toString() ?? '');
          if (values.length === n) {
            clearTimeout(timer);
            resolve({ values, firstMs });
          }
        },
      })
      .catch(reject);
  });
}

describe('embedded broker with kafkajs', () => {
  it('test one: creates a topic, produces, and a group consumer gets its first record in well under a second', async () => {
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
    await producer.send({
      topic: 'orders',
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `order-${i}` })),
    });
    const { values, firstMs } = await consumeFirst('orders', 'billing', 30);
    expect(values.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `order-${i}`).sort());
    expect(firstMs).toBeLessThan(1000);
    expect(await admin.listTopics()).toContain('orders');
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('billing');
  });

  it('test two: after reset() the broker is clean; the same topic and group names start from zero', async () => {
    expect((await admin.listTopics()).filter((t) => !t.startsWith('__'))).toEqual([]);
    expect((await admin.listGroups()).groups).toEqual([]);

    // Same names as test one: a fresh topic (1 partition, auto-created) and a group without offsets.
    await producer.send({ topic: 'orders', messages: [{ value: 'fresh-0' }, { value: 'fresh-1' }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(meta.topics[0]!.partitions).toHaveLength(1);
    expect(await admin.fetchTopicOffsets('orders')).toEqual([
      expect.objectContaining({ partition: 0, low: '0', high: '2' }),
    ]);
    const { values, firstMs } = await consumeFirst('orders', 'billing', 2);
    expect(values).toEqual(['fresh-0', 'fresh-1']);
    expect(firstMs).toBeLessThan(1000);
  });

  it('reset() also drops groups that still have live members', async () => {
    await producer.send({ topic: 'live', messages: [{ value: 'a' }] });
    const first = await consumeFirst('live', 'live-group', 1);
    expect(first.values).toEqual(['a']);
    await broker.reset();
    await admin.disconnect();
    admin = kafka.admin();
    await admin.connect();
    expect((await admin.listGroups()).groups).toEqual([]);
    expect((await admin.listTopics()).filter((t) => !t.startsWith('__'))).toEqual([]);
  });
});

describe('embedded start', () => {
  it('startBroker({ port: 0 }) starts in well under 100 ms (median of 5) and closes cleanly', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const b = await startBroker({ port: 0, dataDir: null });
      times.push(performance.now() - t0);
      await b.close();
    }
    const median = [...times].sort((a, b) => a - b)[2]!;
    // A loaded CI machine gets slack; on an idle laptop this is a few ms.
    expect(median).toBeLessThan(100);
  });

  it('a temp data dir is created and removed when none is given', async () => {
    const { existsSync } = await import('node:fs');
    const b = await startBroker({ port: 0 });
    const dir = b.state.dataDir!;
    expect(existsSync(dir)).toBe(true);
    await b.close();
    expect(existsSync(dir)).toBe(false);
  });
});
