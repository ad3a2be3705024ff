// Python clients against Brook, run with /usr/bin/python3 (Debian's python3-confluent-kafka and
// python3-kafka are only visible to it): produce, then consume through explicit partition assignment.
// Skips with a reason when the packages are missing; fails in CI.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { assertTool, checkPythonModules, shouldRun } from './helpers/external-tools.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = join(import.meta.dirname, 'fixtures');
const confluentCheck = checkPythonModules(PYTHON, ['confluent_kafka']);
const kafkaPythonCheck = checkPythonModules(PYTHON, ['kafka']);

interface ScriptResult {
  acked: { offset: number; key: string; value: string }[];
  read: { offset: number; key: string; value: string; h: string | null }[];
  errors: string[];
}

function runScript(script: string, args: string[]): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [join(FIXTURES, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 100_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`${script} exited ${code}:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as ScriptResult);
    });
  });
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
});
