// Transaction state across broker restarts, over the wire with Brook's codec client: a transaction left
// open across a restart (graceful, and a crash without shutdown work) keeps its partitions, staged
// offsets and the partitions' last stable offset, and then completes on commit or aborts on its timeout
// (fencing the producer); DescribeTransactions/ListTransactions answer from the reloaded state.
import {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  buildRecordBatch,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  EndTxnRequest,
  EndTxnResponse,
  ErrorCode,
  InitProducerIdRequest,
  InitProducerIdResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  ProduceRequest,
  ProduceResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '@brook/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';
import { startTestBroker, type TestBroker, tempDataDir } from './helpers/data-broker.js';

const CONFIG = { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200 };
const running: TestBroker[] = [];
const clients: CodecClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const b of running.splice(0)) await b.destroy();
});

async function boot(dataDir: string): Promise<{ tb: TestBroker; c: CodecClient }> {
  const tb = await startTestBroker({ dataDir, config: CONFIG });
  running.push(tb);
  const c = await CodecClient.open(tb.port);
  clients.push(c);
  return { tb, c };
}

async function shutdown(tb: TestBroker, crash: boolean): Promise<void> {
  running.splice(running.indexOf(tb), 1);
  for (const c of clients.splice(0)) c.close();
  // A crash: storage stops without flushing indexes, snapshots or the clean-shutdown marker.
  if (crash) tb.broker.state.logs.abandon();
  await tb.stop();
}

async function openTxn(c: CodecClient, tb: TestBroker, id: string, topic: string, timeoutMs: number) {
  await tb.broker.state.topics.create(topic, { partitions: 1 });
  const init = await c.request(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: id,
    transactionTimeoutMs: timeoutMs,
    producerId: -1n,
    producerEpoch: -1,
  });
  expect(init.errorCode).toBe(0);
  const { producerId, producerEpoch } = init;
  const add = await c.request(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  });
  expect(add.resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode).toBe(0);
  const produced = await c.request(ProduceRequest, ProduceResponse, 8, {
    transactionalId: id,
    acks: -1,
    timeoutMs: 5000,
    topicData: [
      {
        name: topic,
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch({
              records: [{ value: 'r-0' }, { value: 'r-1' }, { value: 'r-2' }],
              producerId,
              producerEpoch,
              baseSequence: 0,
              isTransactional: true,
            }),
          },
        ],
      },
    ],
  });
  expect(produced.responses[0]?.partitionResponses[0]?.errorCode).toBe(0);
  expect(
    (
      await c.request(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, {
        transactionalId: id,
        producerId,
        producerEpoch,
        groupId: `${id}-group`,
      })
    ).errorCode,
  ).toBe(0);
  const staged = await c.request(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
    transactionalId: id,
    groupId: `${id}-group`,
    producerId,
    producerEpoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 7n, committedMetadata: 'txn' }] }],
  });
  expect(staged.topics[0]?.partitions[0]?.errorCode).toBe(0);
  return { producerId, producerEpoch };
}

async function latest(c: CodecClient, topic: string, isolationLevel: number): Promise<bigint> {
  const r = await c.request(ListOffsetsRequest, ListOffsetsResponse, 5, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  return r.topics[0]!.partitions[0]!.offset!;
}

async function describe1(c: CodecClient, id: string) {
  const r = await c.request(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: [id] });
  return r.transactionStates[0]!;
}

async function readCommitted(tb: TestBroker, topic: string, expected: number): Promise<string[]> {
  const kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'restart-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    const end = Date.now() + (expected > 0 ? 15_000 : 1_500);
    while (values.length < Math.max(expected, 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function committedOffset(tb: TestBroker, group: string, topic: string): Promise<string | undefined> {
  const kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'restart-admin', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const res = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return res[0]?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}

describe.each([
  ['graceful', false],
  ['crash', true],
])('transactions across a %s restart', (_name, crash) => {
  it('an open transaction keeps its state and completes on commit', async () => {
    const dataDir = tempDataDir('brook-txn-restart-');
    let { tb, c } = await boot(dataDir);
    const id = `commit-${crash ? 'crash' : 'clean'}`;
    const topic = `txr-${id}`;
    const { producerId, producerEpoch } = await openTxn(c, tb, id, topic, 60_000);
    expect(await latest(c, topic, 1)).toBe(0n);
    await shutdown(tb, crash);

    ({ tb, c } = await boot(dataDir));
    const d = await describe1(c, id);
    expect(d).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerId, producerEpoch });
    expect(d.topics.map((t) => t.topic).sort()).toEqual(['__consumer_offsets', topic]);
    expect(await latest(c, topic, 1)).toBe(0n);
    expect(await latest(c, topic, 0)).toBe(3n);
    const listed = await c.request(ListTransactionsRequest, ListTransactionsResponse, 1, {
      stateFilters: ['Ongoing'],
      producerIdFilters: [],
      durationFilter: -1n,
    });
    expect(listed.transactionStates.map((s) => s.transactionalId)).toContain(id);
    expect(await committedOffset(tb, `${id}-group`, topic)).toBe('-1');

    const end = await c.request(EndTxnRequest, EndTxnResponse, 3, {
      transactionalId: id,
      producerId,
      producerEpoch,
      committed: true,
    });
    expect(end.errorCode).toBe(0);
    expect(await latest(c, topic, 1)).toBe(4n);
    expect(await readCommitted(tb, topic, 3)).toEqual(['r-0', 'r-1', 'r-2']);
    expect(await committedOffset(tb, `${id}-group`, topic)).toBe('7');
    expect((await describe1(c, id)).transactionState).toBe('CompleteCommit');

    // And the outcome itself survives another restart.
    await shutdown(tb, crash);
    ({ tb, c } = await boot(dataDir));
    expect((await describe1(c, id)).transactionState).toBe('CompleteCommit');
    expect(await latest(c, topic, 1)).toBe(4n);
    expect(await committedOffset(tb, `${id}-group`, topic)).toBe('7');
  });

  it('an open transaction aborts on its timeout after the restart, fencing the producer', async () => {
    const dataDir = tempDataDir('brook-txn-restart-');
    let { tb, c } = await boot(dataDir);
    const id = `timeout-${crash ? 'crash' : 'clean'}`;
    const topic = `txr-${id}`;
    const { producerId, producerEpoch } = await openTxn(c, tb, id, topic, 2_000);
    await shutdown(tb, crash);

    ({ tb, c } = await boot(dataDir));
    expect((await describe1(c, id)).transactionState).toBe('Ongoing');
    const deadline = Date.now() + 10_000;
    while ((await describe1(c, id)).transactionState !== 'CompleteAbort' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const d = await describe1(c, id);
    expect(d).toMatchObject({ transactionState: 'CompleteAbort', producerId, producerEpoch: producerEpoch + 1 });
    expect(await latest(c, topic, 1)).toBe(4n);
    expect(tb.broker.state.logs.get(topic, 0)!.abortedTransactions(0n, 4n)).toEqual([
      { producerId, firstOffset: 0n, lastOffset: 3n, lastStableOffset: 4n },
    ]);
    const end = await c.request(EndTxnRequest, EndTxnResponse, 3, {
      transactionalId: id,
      producerId,
      producerEpoch,
      committed: true,
    });
    expect(end.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await readCommitted(tb, topic, 0)).toEqual([]);
    expect(await committedOffset(tb, `${id}-group`, topic)).toBe('-1');
  });
});
