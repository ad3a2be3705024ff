// kafka-python (Debian's python3-kafka, via /usr/bin/python3; it speaks older API versions) as a group
// consumer: it reads, commits, leaves; a second run of the same group resumes after the commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertTool, checkPythonModules, shouldRun } from './helpers/external-tools.js';
import { runProcess } from './helpers/run-process.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'fixtures', 'kafka_python_group_consumer.py');
const tool = checkPythonModules(PYTHON, ['kafka']);
const run = shouldRun('groups-kafka-python', tool);

const dataDir = mkdtempSync(join(tmpdir(), 'brook-groups-kp-'));
let broker: Broker;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  if (!run) return;
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'kp-test', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});

afterAll(async () => {
  if (broker) {
    await producer.disconnect();
    await admin.disconnect();
    await broker.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

interface Result {
  records: { partition: number; offset: number; value: string }[];
  assigned: number[];
  committed: Record<string, number | null>;
}

/** Runs the script asynchronously: the broker lives in this process and must keep serving. */
async function consume(group: string, topic: string): Promise<Result> {
  const r = await runProcess(PYTHON, [SCRIPT, broker.bootstrap, group, topic], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kafka-python consumer failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

async function produce(topic: string, count: number, prefix: string): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ partition: i % 2, value })) });
  return values;
}

describe.runIf(run)('kafka-python group consumer', () => {
  it('commits, leaves, and a second run resumes from the committed offsets', async () => {
    assertTool(tool);
    await admin.createTopics({ topics: [{ topic: 'kp-group', numPartitions: 2 }], waitForLeaders: true });
    const first = await produce('kp-group', 10, 'first');
    const r1 = await consume('grp-kp', 'kp-group');
    expect(r1.assigned).toEqual([0, 1]);
    expect(r1.records.map((r) => r.value).sort()).toEqual([...first].sort());
    expect(r1.committed).toEqual({ '0': 5, '1': 5 });
    const fetched = await admin.fetchOffsets({ groupId: 'grp-kp', topics: ['kp-group'] });
    expect(fetched[0]!.partitions.map((p) => p.offset).sort()).toEqual(['5', '5']);

    const second = await produce('kp-group', 6, 'second');
    const r2 = await consume('grp-kp', 'kp-group');
    expect(r2.records.map((r) => r.value).sort()).toEqual([...second].sort());
    expect(r2.committed).toEqual({ '0': 8, '1': 8 });
    // The group is empty again after both runs left.
    const d = await admin.describeGroups(['grp-kp']);
    expect(d.groups[0]!.state).toBe('Empty');
  });
});
