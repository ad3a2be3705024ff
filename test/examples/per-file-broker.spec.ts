// A broker per test file, reset between tests: each test starts from an empty broker (no topics,
// no groups), and test files stay independent. startBroker() takes a few milliseconds.
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';

let broker: Broker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker({ port: 0, dataDir: null });
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
beforeEach(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterEach(async () => {
  await admin.disconnect();
  await broker.reset(); // drop every topic and group
});
afterAll(() => broker.close());

it('creates a topic', async () => {
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 3 }] });
  expect(await admin.listTopics()).toContain('payments');
});

it('starts clean: the topic of the previous test is gone', async () => {
  expect((await admin.listTopics()).filter((t) => !t.startsWith('__'))).toEqual([]);
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['payments'] });
  expect(meta.topics[0]!.partitions).toHaveLength(1);
});
