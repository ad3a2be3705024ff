// Deleting a topic removes every group's committed offsets of it (tombstones in __consumer_offsets, as
// Kafka does), so a re-created topic of the same name starts from the reset policy instead of stale
// offsets, also after a restart. Offsets of other topics stay; an empty group left without offsets goes.
import {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '@brook/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker, tempDataDir } from './helpers/data-broker.js';

const dataDir = tempDataDir('brook-delete-offsets-');
let tb: TestBroker | undefined;
afterAll(async () => {
  await tb?.destroy();
});

const kafkaFor = (b: TestBroker) => new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });

/** Consumes `count` values of `topic` with group `groupId` (from the beginning when it has no offsets). */
async function consume(b: TestBroker, groupId: string, topic: string, count: number): Promise<string[]> {
  const consumer = kafkaFor(b).consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === count) resolve();
        },
      })
      .catch(reject);
  });
  // Let kafkajs commit what it consumed before leaving.
  await consumer.disconnect();
  return values;
}

async function produce(b: TestBroker, topic: string, values: string[]) {
  const producer = kafkaFor(b).producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

/** Every committed offset of a group, as "topic:partition=offset" (OffsetFetch with topics = null). */
async function committed(c: CodecClient, groupId: string): Promise<string[]> {
  const r = await c.request(OffsetFetchRequest, OffsetFetchResponse, 7, {
    groupId,
    topics: null,
    requireStable: false,
  });
  expect(r.errorCode).toBe(0);
  return r.topics!.flatMap((t) => t.partitions.map((p) => `${t.name}:${p.partitionIndex}=${p.committedOffset}`)).sort();
}

describe('DeleteTopics and committed offsets', () => {
  it('removes the offsets of the deleted topic from every group, durably; a re-created topic starts over', async () => {
    tb = await startTestBroker({ dataDir, config: { 'group.initial.rebalance.delay.ms': 0 } });
    const admin = kafkaFor(tb).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'reborn', numPartitions: 1 },
        { topic: 'kept', numPartitions: 1 },
      ],
    });
    const first = Array.from({ length: 5 }, (_, i) => `old-${i}`);
    await produce(tb, 'reborn', first);
    // A consumer group (with a protocol) and a standalone committer (generation -1) on both topics.
    expect(await consume(tb, 'g-consumer', 'reborn', 5)).toEqual(first);
    const c = await CodecClient.open(tb.port);
    const standalone = await c.request(OffsetCommitRequest, OffsetCommitResponse, 7, {
      groupId: 'g-standalone',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: ['reborn', 'kept'].map((name) => ({
        name,
        partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: 'm' }],
      })),
    });
    expect(standalone.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([0, 0]);
    expect(await committed(c, 'g-consumer')).toEqual(['reborn:0=5']);
    expect(await committed(c, 'g-standalone')).toEqual(['kept:0=3', 'reborn:0=3']);

    await admin.deleteTopics({ topics: ['reborn'] });
    expect(await committed(c, 'g-consumer')).toEqual([]);
    expect(await committed(c, 'g-standalone')).toEqual(['kept:0=3']);
    // The consumer group was empty and had no other offsets: it is gone, as in Kafka.
    expect((await admin.listGroups()).groups.map((g) => g.groupId).sort()).toEqual(['g-standalone']);
    const described = await c.request(DescribeGroupsRequest, DescribeGroupsResponse, 5, {
      groups: ['g-consumer'],
      includeAuthorizedOperations: false,
    });
    expect(described.groups[0]!.groupState).toBe('Dead');
    c.close();
    await admin.disconnect();

    // The removal is in __consumer_offsets: a restart does not bring the offsets back.
    await tb.stop();
    tb = await startTestBroker({ dataDir, config: { 'group.initial.rebalance.delay.ms': 0 } });
    const c2 = await CodecClient.open(tb.port);
    expect(await committed(c2, 'g-consumer')).toEqual([]);
    expect(await committed(c2, 'g-standalone')).toEqual(['kept:0=3']);

    // Re-created with the same name: the group reads it from the beginning, not from the stale offset 5.
    const admin2 = kafkaFor(tb).admin();
    await admin2.connect();
    await admin2.createTopics({ topics: [{ topic: 'reborn', numPartitions: 1 }] });
    await admin2.disconnect();
    const second = Array.from({ length: 8 }, (_, i) => `new-${i}`);
    await produce(tb, 'reborn', second);
    expect(await consume(tb, 'g-consumer', 'reborn', 8)).toEqual(second);
    expect(await committed(c2, 'g-consumer')).toEqual(['reborn:0=8']);
    c2.close();
  });
});
