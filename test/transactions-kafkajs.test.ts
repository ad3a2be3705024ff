// Transactions with kafkajs against a real Brook: a transactional producer writes to two topics and
// sends offsets, then commits (read_committed sees everything, the group's offsets move) or aborts
// (read_committed sees nothing of it, read_uncommitted sees it, the offsets stay); a second producer
// with the same transactional id fences the first; admin APIs describe/list transactions and producers.
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';

let tb: TestBroker;
let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];
let seq = 0;

beforeAll(async () => {
  tb = await startTestBroker();
  kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'txn-test', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.disconnect().catch(() => {})));
  await admin.disconnect();
  await tb.destroy();
});

async function topics(...names: string[]): Promise<void> {
  await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
}

async function txProducer(transactionalId: string): Promise<Producer> {
  const p = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  producers.push(p);
  return p;
}

/** Everything a fresh consumer reads from `topic` until `until` holds (or the deadline passes). */
async function readTopic(
  topic: string,
  opts: { readUncommitted: boolean; until: (values: string[]) => boolean; timeoutMs?: number },
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${++seq}`,
    readUncommitted: opts.readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    const end = Date.now() + (opts.timeoutMs ?? 15_000);
    while (!opts.until(values) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function groupOffset(groupId: string, topic: string): Promise<string | undefined> {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  return res[0]?.partitions.find((p) => p.partition === 0)?.offset;
}

describe('kafkajs transactions', () => {
  it('commit: both topics visible to read_committed, the group offsets move', async () => {
    await topics('tx-in-c', 'tx-a-c', 'tx-b-c');
    const p = await txProducer('tx-commit');
    const txn = await p.transaction();
    await txn.send({ topic: 'tx-a-c', messages: [{ value: 'a-1' }, { value: 'a-2' }] });
    await txn.send({ topic: 'tx-b-c', messages: [{ value: 'b-1' }] });
    await txn.sendOffsets({
      consumerGroupId: 'tx-group-c',
      topics: [{ topic: 'tx-in-c', partitions: [{ partition: 0, offset: '42' }] }],
    });
    // Not yet committed: invisible to read_committed, and the offsets have not moved.
    expect(await groupOffset('tx-group-c', 'tx-in-c')).toBe('-1');
    const before = await readTopic('tx-a-c', { readUncommitted: false, until: () => false, timeoutMs: 1500 });
    expect(before).toEqual([]);
    const described = await describeTxn('tx-commit');
    expect(described.transactionState).toBe('Ongoing');
    await txn.commit();

    expect(await readTopic('tx-a-c', { readUncommitted: false, until: (v) => v.length >= 2 })).toEqual(['a-1', 'a-2']);
    expect(await readTopic('tx-b-c', { readUncommitted: false, until: (v) => v.length >= 1 })).toEqual(['b-1']);
    expect(await groupOffset('tx-group-c', 'tx-in-c')).toBe('42');
    expect((await describeTxn('tx-commit')).transactionState).toBe('CompleteCommit');
  });

  it('abort: invisible to read_committed, visible to read_uncommitted, offsets unchanged', async () => {
    await topics('tx-in-a', 'tx-a-a', 'tx-b-a');
    const p = await txProducer('tx-abort');
    const first = await p.transaction();
    await first.send({ topic: 'tx-a-a', messages: [{ value: 'keep-1' }] });
    await first.sendOffsets({
      consumerGroupId: 'tx-group-a',
      topics: [{ topic: 'tx-in-a', partitions: [{ partition: 0, offset: '10' }] }],
    });
    await first.commit();

    const txn = await p.transaction();
    await txn.send({ topic: 'tx-a-a', messages: [{ value: 'gone-1' }, { value: 'gone-2' }] });
    await txn.send({ topic: 'tx-b-a', messages: [{ value: 'gone-b' }] });
    await txn.sendOffsets({
      consumerGroupId: 'tx-group-a',
      topics: [{ topic: 'tx-in-a', partitions: [{ partition: 0, offset: '20' }] }],
    });
    await txn.abort();

    const last = await p.transaction();
    await last.send({ topic: 'tx-a-a', messages: [{ value: 'keep-2' }] });
    await last.send({ topic: 'tx-b-a', messages: [{ value: 'keep-b' }] });
    await last.commit();

    const committed = await readTopic('tx-a-a', { readUncommitted: false, until: (v) => v.includes('keep-2') });
    expect(committed).toEqual(['keep-1', 'keep-2']);
    expect(await readTopic('tx-b-a', { readUncommitted: false, until: (v) => v.includes('keep-b') })).toEqual([
      'keep-b',
    ]);
    const dirty = await readTopic('tx-a-a', { readUncommitted: true, until: (v) => v.includes('keep-2') });
    expect(dirty).toEqual(['keep-1', 'gone-1', 'gone-2', 'keep-2']);
    expect(await groupOffset('tx-group-a', 'tx-in-a')).toBe('10');
    expect((await describeTxn('tx-abort')).transactionState).toBe('CompleteCommit');
  });

  it('a second producer with the same transactional id fences the first', async () => {
    await topics('tx-fence');
    const p1 = await txProducer('tx-fenced');
    const t1 = await p1.transaction();
    await t1.send({ topic: 'tx-fence', messages: [{ value: 'zombie-1' }] });

    const p2 = await txProducer('tx-fenced');
    const t2 = await p2.transaction(); // InitProducerId: bumps the epoch, aborts t1
    await expect(t1.send({ topic: 'tx-fence', messages: [{ value: 'zombie-2' }] })).rejects.toThrow();
    await expect(t1.commit()).rejects.toThrow();

    await t2.send({ topic: 'tx-fence', messages: [{ value: 'new-1' }] });
    await t2.commit();
    expect(await readTopic('tx-fence', { readUncommitted: false, until: (v) => v.includes('new-1') })).toEqual([
      'new-1',
    ]);
    const all = await readTopic('tx-fence', { readUncommitted: true, until: (v) => v.includes('new-1') });
    expect(all).toEqual(['zombie-1', 'new-1']);
  });

  it('admin: ListTransactions, DescribeTransactions, DescribeProducers', async () => {
    const state = tb.broker.state;
    const listed = state.transactions.list([], [], -1n).states.map((s) => s.transactionalId);
    expect(listed).toEqual(expect.arrayContaining(['tx-commit', 'tx-abort', 'tx-fenced']));
    const d = await describeTxn('tx-fenced');
    expect(d).toMatchObject({ errorCode: 0, transactionState: 'CompleteCommit', producerEpoch: 2 });
    expect((await describeTxn('nope')).errorCode).toBe(105);
    const producers = [...state.logs.get('tx-fence', 0)!.producers.entries()];
    expect(producers).toHaveLength(1);
    expect(producers[0]).toMatchObject({ epoch: 2, currentTxnFirstOffset: -1n });
  });
});

async function describeTxn(id: string) {
  return tb.broker.state.transactions.describe(id);
}
