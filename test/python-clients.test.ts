// Python clients against Brook, run with /usr/bin/python3 (Debian's python3-confluent-kafka and
// python3-kafka are only visible to it): produce, then consume through explicit partition assignment,
// to pre-created topics and to a topic the producer's metadata request auto-creates.
// Skips with a reason when the packages are missing; fails in CI.
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { assertTool, checkPythonModules, shouldRun } from './helpers/external-tools.js';
import { runProcess } from './helpers/run-process.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = join(import.meta.dirname, 'fixtures');
const confluentCheck = checkPythonModules(PYTHON, ['confluent_kafka']);
const kafkaPythonCheck = checkPythonModules(PYTHON, ['kafka']);

interface ScriptResult {
  acked: { offset: number; key: string; value: string }[];
  read: { offset: number; key: string; value: string; h: string | null }[];
  errors: string[];
}

async function runScript(script: string, args: string[]): Promise<ScriptResult> {
  const { code, stdout, stderr } = await runProcess(PYTHON, [join(FIXTURES, script), ...args], { timeoutMs: 100_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    throw new Error(`${script} exited ${code}:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  }
  return JSON.parse(line) as ScriptResult;
}

function expectRoundTrip(r: ScriptResult, count: number): void {
  expect(r.errors).toEqual([]);
  expect(r.acked).toHaveLength(count);
  expect(r.read).toHaveLength(count);
  const acked = [...r.acked].sort((a, b) => a.offset - b.offset);
  expect(r.read.map((m) => [m.offset, m.key, m.value])).toEqual(acked.map((m) => [m.offset, m.key, m.value]));
  expect(r.read.every((m, i) => m.h === String(i))).toBe(true);
  expect(acked.map((m) => m.offset)).toEqual(acked.map((_, i) => i));
}

let broker: TestBroker;

async function createTopics(names: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'python-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 2 })) });
  await admin.disconnect();
}

/** Runs `produce` against a topic that must not exist yet, then checks it was auto-created with one partition. */
async function expectAutoCreated(topic: string, produce: () => Promise<void>): Promise<void> {
  const kafka = new Kafka({ clientId: 'python-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    expect(await admin.listTopics()).not.toContain(topic);
    await produce();
    const [md] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(md?.partitions).toHaveLength(1);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.destroy();
});

describe.runIf(shouldRun('python confluent-kafka', confluentCheck))('confluent-kafka (librdkafka)', () => {
  it.each(['none', 'gzip', 'lz4'])('produces and consumes via assign (compression %s)', async (codec) => {
    assertTool(confluentCheck);
    const topic = `py-confluent-${codec}`;
    await createTopics([topic]);
    expectRoundTrip(await runScript('confluent_produce_consume.py', [broker.bootstrap, topic, '1', '200', codec]), 200);
  });

  it('auto-creates the topic it produces to and reads it back', async () => {
    assertTool(confluentCheck);
    const topic = 'py-confluent-auto-created';
    await expectAutoCreated(topic, async () => {
      expectRoundTrip(await runScript('confluent_produce_consume.py', [broker.bootstrap, topic, '0', '50']), 50);
    });
  });
});

describe.runIf(shouldRun('python kafka-python', kafkaPythonCheck))('kafka-python', () => {
  it.each(['none', 'gzip'])('produces and consumes via assign + seek (compression %s)', async (codec) => {
    assertTool(kafkaPythonCheck);
    const topic = `py-kafka-python-${codec}`;
    await createTopics([topic]);
    const args = [broker.bootstrap, topic, '1', '150'];
    if (codec !== 'none') args.push(codec);
    expectRoundTrip(await runScript('kafka_python_produce_consume.py', args), 150);
  });

  it('auto-creates the topic it produces to and reads it back', async () => {
    assertTool(kafkaPythonCheck);
    const topic = 'py-kafka-python-auto-created';
    await expectAutoCreated(topic, async () => {
      expectRoundTrip(await runScript('kafka_python_produce_consume.py', [broker.bootstrap, topic, '0', '50']), 50);
    });
  });
});
