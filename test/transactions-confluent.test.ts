// Exactly-once read-process-write with python3-confluent-kafka (librdkafka, Debian's, via /usr/bin/python3):
// 10,000 input records, a transactional processor SIGKILLed partway and restarted with the same
// transactional.id; the output topic read with read_committed holds each input record's result exactly
// once (read_uncommitted may also show the killed instance's aborted writes).
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { assertTool, checkPythonModules, shouldRun } from './helpers/external-tools.js';
import { LineProcess, waitFor } from './helpers/line-process.js';

const PYTHON = '/usr/bin/python3';
const PROCESSOR = join(import.meta.dirname, 'fixtures', 'confluent_txn_processor.py');
const confluent = checkPythonModules(PYTHON, ['confluent_kafka']);
const run = shouldRun('transactions-confluent (confluent-kafka)', confluent);
const N = 10_000;

let tb: TestBroker;
let kafka: Kafka;
const procs: LineProcess[] = [];

beforeAll(async () => {
  if (!run) return;
  tb = await startTestBroker();
  kafka = new Kafka({ brokers: [tb.bootstrap], clientId: 'eos-test', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await tb?.destroy();
});

async function readAll(topic: string, readUncommitted: boolean, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `eos-reader-${readUncommitted}`, readUncommitted, maxWaitTimeInMs: 200 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    const end = Date.now() + 30_000;
    while (values.length < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500)); // anything beyond the expected count shows up too
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe.runIf(run)('python3-confluent-kafka exactly-once', () => {
  it('read-process-write over 10,000 records survives a SIGKILLed processor', async () => {
    assertTool(confluent);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'eos-in', numPartitions: 2 },
        { topic: 'eos-out', numPartitions: 2 },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < N; i += 1000) {
      await producer.send({
        topic: 'eos-in',
        messages: Array.from({ length: 1000 }, (_, j) => ({ key: `k-${i + j}`, value: `${i + j}` })),
      });
    }
    await producer.disconnect();

    const args = [PROCESSOR, tb.bootstrap, 'eos-in', 'eos-out', 'eos-group', 'eos-txn', '2', '200'];
    // The first instance leaves a transaction open (records written, not committed) after 3000 records.
    const first = new LineProcess(PYTHON, [...args, '3000']);
    procs.push(first);
    const committed = () => Math.max(0, ...first.events<{ committed?: number }>().map((e) => e.committed ?? 0));
    await waitFor(
      () => first.events().some((e) => 'hanging' in e) || first.exited,
      60_000,
      'the first processor to commit 3000 records and open one more transaction',
    );
    expect(first.exited, first.stderr.join('\n')).toBe(false);
    first.kill('SIGKILL');
    await first.waitExit();
    const killedAfter = committed();

    const second = new LineProcess(PYTHON, args);
    procs.push(second);
    await waitFor(() => second.events().some((e) => 'done' in e) || second.exited, 90_000, 'the second processor');
    const done = second.events<{ done?: number }>().find((e) => e.done !== undefined)?.done;
    expect(done, second.stderr.join('\n')).toBeDefined();
    // The restarted processor resumed from the committed offsets: together they processed every record once.
    expect(killedAfter + done!).toBe(N);

    const out = await readAll('eos-out', false, N);
    const counts = new Map<string, number>();
    for (const v of out) counts.set(v, (counts.get(v) ?? 0) + 1);
    const dupes = [...counts].filter(([, n]) => n > 1);
    expect(dupes.slice(0, 5)).toEqual([]);
    expect(out).toHaveLength(N);
    for (let i = 0; i < N; i++) expect(counts.get(`out-${i}`)).toBe(1);

    // read_uncommitted also shows what the killed instance wrote in its open (then aborted) transaction.
    const dirty = await readAll('eos-out', true, N + 1);
    expect(dirty.length).toBeGreaterThan(N);
    const offsets = await admin.fetchOffsets({ groupId: 'eos-group', topics: ['eos-in'] });
    const total = offsets[0]!.partitions.reduce((s, p) => s + Number(p.offset), 0);
    expect(total).toBe(N);
    await admin.disconnect();
    console.log(
      `[eos] first processor committed ${killedAfter} before SIGKILL, second ${done}; read_committed ${out.length}, read_uncommitted ${dirty.length}`,
    );
  });
});
