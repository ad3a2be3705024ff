// Uses the broker started by global-setup.ts. Test files run in parallel against it, so each test
// uses its own topic and group names instead of resetting the shared broker.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, inject, it } from 'vitest';

const kafka = new Kafka({ brokers: inject('kafkaBrokers'), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: true });
await producer.connect();
afterAll(() => producer.disconnect());

it('a consumer in a test gets what the test produced', async () => {
  const topic = `orders-${randomUUID()}`;
  await producer.send({ topic, messages: [{ key: 'o-1', value: 'created' }] });

  const consumer = kafka.consumer({ groupId: `billing-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
  });
  await consumer.disconnect();
  expect(value).toBe('created');
});
