// kcat (librdkafka) against Brook: metadata listing, producing from stdin (uncompressed, snappy, zstd),
// consuming from the beginning to the end, with counts and payloads compared, and producing to a topic
// that does not exist yet (auto-created). Skips with a reason when kcat is missing; fails in CI.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './helpers/data-broker.js';
import { assertTool, checkExecutable, shouldRun } from './helpers/external-tools.js';
import { type ProcessResult, runProcess } from './helpers/run-process.js';

const KCAT = '/usr/bin/kcat';
const kcatCheck = checkExecutable(KCAT);

function kcat(args: string[], input?: string): Promise<ProcessResult> {
  return runProcess(KCAT, args, { input: input ?? '', timeoutMs: 60_000 });
}

interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

const parseLines = (out: string): KcatMessage[] =>
  out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as KcatMessage);

describe.runIf(shouldRun('librdkafka-kcat', kcatCheck))('kcat (librdkafka)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    assertTool(kcatCheck);
    broker = await startTestBroker();
    const kafka = new Kafka({ clientId: 'kcat-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'kcat-plain', numPartitions: 3 },
        { topic: 'kcat-snappy', numPartitions: 1 },
        { topic: 'kcat-zstd', numPartitions: 1 },
      ],
    });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.destroy();
  });

  it('lists metadata with -L', async () => {
    const r = await kcat(['-b', broker.bootstrap, '-L', '-J']);
    expect(r.code, r.stderr).toBe(0);
    const md = JSON.parse(r.stdout) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(md.brokers).toHaveLength(1);
    const t = md.topics.find((x) => x.topic === 'kcat-plain');
    expect(t?.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(t?.partitions.every((p) => p.leader === md.brokers[0]!.id)).toBe(true);
  });

  it.each([
    ['kcat-plain', 'none', 3],
    ['kcat-snappy', 'snappy', 1],
    ['kcat-zstd', 'zstd', 1],
  ])('produces with -P and consumes with -C -o beginning -e (%s)', async (topic, codec, partitions) => {
    const lines = Array.from({ length: 300 }, (_, i) => `key-${i}:payload ${i} ${'p'.repeat(i % 40)}`);
    const produced = await kcat(
      ['-b', broker.bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'acks=all', '-H', 'src=kcat'],
      `${lines.join('\n')}\n`,
    );
    expect(produced.code, produced.stderr).toBe(0);

    const consumed = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J']);
    expect(consumed.code, consumed.stderr).toBe(0);
    const msgs = parseLines(consumed.stdout);
    expect(msgs).toHaveLength(lines.length);
    const got = new Map(msgs.map((m) => [m.key, m.payload]));
    for (const line of lines) {
      const [key, payload] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
      expect(got.get(key)).toBe(payload);
    }
    expect(new Set(msgs.map((m) => m.partition)).size).toBeLessThanOrEqual(partitions);
    expect(msgs.every((m) => m.headers?.[0] === 'src' && m.headers?.[1] === 'kcat')).toBe(true);
    // Offsets per partition are dense from 0.
    for (let p = 0; p < partitions; p++) {
      const offs = msgs.filter((m) => m.partition === p).map((m) => m.offset);
      expect(offs).toEqual(offs.map((_, i) => i));
    }
  });

  it('auto-creates a topic it produces to, with num.partitions partitions, and reads it back', async () => {
    const topic = 'kcat-auto-created';
    const kafka = new Kafka({ clientId: 'kcat-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
      const lines = Array.from({ length: 20 }, (_, i) => `auto ${i}`);
      const produced = await kcat(
        ['-b', broker.bootstrap, '-P', '-t', topic, '-X', 'acks=all'],
        `${lines.join('\n')}\n`,
      );
      expect(produced.code, produced.stderr).toBe(0);
      expect(await admin.listTopics()).toContain(topic);
      const [md] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(md?.partitions).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const consumed = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J']);
    expect(consumed.code, consumed.stderr).toBe(0);
    const msgs = parseLines(consumed.stdout);
    expect(msgs.map((m) => [m.offset, m.payload])).toEqual(Array.from({ length: 20 }, (_, i) => [i, `auto ${i}`]));
  });

  it('reads a partition from an offset with -p and -o', async () => {
    const r = await kcat(['-b', broker.bootstrap, '-C', '-t', 'kcat-snappy', '-p', '0', '-o', '295', '-e', '-J']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseLines(r.stdout).map((m) => m.offset)).toEqual([295, 296, 297, 298, 299]);
  });
});
