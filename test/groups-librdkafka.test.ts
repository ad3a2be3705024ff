// Consumer groups with librdkafka clients: kcat -G balanced consumption, and python3-confluent-kafka
// (Debian's, via /usr/bin/python3) with the range and cooperative-sticky assignors while members join
// and leave (no record lost or consumed twice), plus static membership (group.instance.id): a static
// member restarted within the session timeout keeps its partitions with no rebalance.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertTool, checkExecutable, checkPythonModules, shouldRun } from './helpers/external-tools.js';
import { LineProcess, waitFor } from './helpers/line-process.js';

const KCAT = '/usr/bin/kcat';
const PYTHON = '/usr/bin/python3';
const CONSUMER = join(import.meta.dirname, 'fixtures', 'confluent_group_consumer.py');
const kcat = checkExecutable(KCAT);
const confluent = checkPythonModules(PYTHON, ['confluent_kafka']);
const runKcat = shouldRun('groups-librdkafka (kcat)', kcat);
const runConfluent = shouldRun('groups-librdkafka (confluent-kafka)', confluent);

const dataDir = mkdtempSync(join(tmpdir(), 'brook-groups-rdk-'));
let broker: Broker;
let admin: Admin;
let producer: Producer;
const procs: LineProcess[] = [];

beforeAll(async () => {
  if (!runKcat && !runConfluent) return;
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir, logLevel: process.env.BROOK_TEST_LOG ?? 'silent' });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'rdk-test', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  if (broker) {
    await producer.disconnect();
    await admin.disconnect();
    await broker.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function produce(topic: string, partitions: number, count: number, prefix: string): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ partition: i % partitions, value })) });
  return values;
}

describe.runIf(runKcat)('kcat -G', () => {
  it('two balanced kcat consumers split six partitions and read each record once', async () => {
    assertTool(kcat);
    await admin.createTopics({ topics: [{ topic: 'rdk-kcat', numPartitions: 6 }], waitForLeaders: true });
    const start = () => {
      const p = new LineProcess(KCAT, [
        '-b',
        broker.bootstrap,
        '-G',
        'grp-kcat',
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'heartbeat.interval.ms=300',
        '-u',
        '-f',
        '%p:%o:%s\\n',
        'rdk-kcat',
      ]);
      procs.push(p);
      return p;
    };
    // kcat reports each assignment on stderr: "% Group grp-kcat rebalanced (memberid …): assigned: rdk-kcat [0], …"
    const assigned = (p: LineProcess): number[] => {
      const line = [...p.stderr].reverse().find((l) => /Group grp-kcat rebalanced/.test(l));
      if (!line || !/assigned:/.test(line)) return [];
      return [...line.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    };
    const a = start();
    const b = start();
    await waitFor(
      () => {
        const all = [...assigned(a), ...assigned(b)];
        return assigned(a).length > 0 && assigned(b).length > 0 && all.length === 6 && new Set(all).size === 6;
      },
      30_000,
      'kcat consumers balanced',
    );
    const values = await produce('rdk-kcat', 6, 60, 'kcat');
    await waitFor(() => a.stdout.length + b.stdout.length >= 60, 20_000, 'kcat records');
    await new Promise((r) => setTimeout(r, 300));
    const lines = [...a.stdout, ...b.stdout];
    expect(lines).toHaveLength(60);
    expect(new Set(lines.map((l) => l.split(':').slice(0, 2).join(':'))).size).toBe(60);
    expect(lines.map((l) => l.split(':')[2]).sort()).toEqual([...values].sort());
    for (const p of [a, b]) {
      const mine = assigned(p);
      expect(p.stdout.every((l) => mine.includes(Number(l.split(':')[0])))).toBe(true);
    }
    a.kill();
    b.kill();
    await Promise.all([a.waitExit(), b.waitExit()]);
  });
});

interface PyEvent {
  event: string;
  partitions?: number[];
  partition?: number;
  offset?: number;
  value?: string;
}

function pyConsumer(group: string, topic: string, strategy: string, instanceId?: string): LineProcess {
  const args = [CONSUMER, broker.bootstrap, group, topic, strategy];
  // Static members get a session timeout that a restart on a busy machine fits in comfortably.
  if (instanceId) args.push(instanceId, '30000');
  const p = new LineProcess(PYTHON, args);
  procs.push(p);
  return p;
}

function assignment(p: LineProcess): number[] {
  const last = p
    .events<PyEvent>()
    .filter((e) => e.event === 'assignment')
    .pop();
  return last?.partitions ?? [];
}

function records(ps: LineProcess[]): PyEvent[] {
  return ps.flatMap((p) => p.events<PyEvent>().filter((e) => e.event === 'record'));
}

/** Every running member has partitions, and together they hold all of them exactly once. */
function balanced(members: LineProcess[], partitions: number): boolean {
  const all = members.flatMap(assignment);
  return (
    members.every((m) => assignment(m).length > 0) && all.length === partitions && new Set(all).size === partitions
  );
}

describe.runIf(runConfluent)('python3-confluent-kafka group consumers', () => {
  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`${strategy}: members join and leave, no record lost or consumed twice`, async () => {
      assertTool(confluent);
      const topic = `rdk-${strategy}`;
      const group = `grp-${strategy}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
      const all: LineProcess[] = [];
      const produced: string[] = [];
      const phase = async (members: LineProcess[], label: string) => {
        await waitFor(() => balanced(members, 6), 45_000, `${strategy} balanced (${label})`);
        produced.push(...(await produce(topic, 6, 60, `${strategy}-${label}`)));
        await waitFor(() => records(all).length >= produced.length, 20_000, `${strategy} records (${label})`);
      };
      const a = pyConsumer(group, topic, strategy);
      all.push(a);
      await phase([a], 'a');
      const b = pyConsumer(group, topic, strategy);
      all.push(b);
      await phase([a, b], 'ab');
      const c = pyConsumer(group, topic, strategy);
      all.push(c);
      await phase([a, b, c], 'abc');
      a.send('close');
      await a.waitExit();
      await phase([b, c], 'bc');
      await new Promise((r) => setTimeout(r, 500));
      const got = records(all);
      expect(got).toHaveLength(produced.length);
      expect(new Set(got.map((r) => `${r.partition}:${r.offset}`)).size).toBe(produced.length);
      expect(got.map((r) => r.value).sort()).toEqual([...produced].sort());
      b.send('close');
      c.send('close');
      await Promise.all([b.waitExit(), c.waitExit()]);
    });
  }

  it('static membership: a restarted static member keeps its partitions with no rebalance', async () => {
    assertTool(confluent);
    const topic = 'rdk-static';
    const group = 'grp-static';
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    const a = pyConsumer(group, topic, 'range', 'static-a');
    const b = pyConsumer(group, topic, 'range', 'static-b');
    await waitFor(() => balanced([a, b], 4), 30_000, 'static members balanced');
    const g = broker.state.groups.group(group)!;
    const generation = g.generationId;
    const aParts = assignment(a);
    const bAssignments = b.events<PyEvent>().filter((e) => e.event === 'assignment').length;
    // A static member leaves no LeaveGroup behind: its slot waits for it until the session timeout.
    a.send('close');
    await a.waitExit();
    expect(g.staticMembers.has('static-a')).toBe(true);
    const a2 = pyConsumer(group, topic, 'range', 'static-a');
    await waitFor(() => assignment(a2).length > 0, 20_000, 'restarted static member assigned');
    expect(assignment(a2)).toEqual(aParts);
    expect(g.generationId).toBe(generation);
    expect(g.state).toBe('Stable');
    // b saw no rebalance at all.
    expect(b.events<PyEvent>().filter((e) => e.event === 'assignment')).toHaveLength(bAssignments);
    const produced = await produce(topic, 4, 40, 'static');
    await waitFor(() => records([a, a2, b]).length >= 40, 20_000, 'static records');
    expect(
      records([a2, b])
        .map((r) => r.value)
        .sort(),
    ).toEqual([...produced].sort());
    a2.send('close');
    b.send('close');
    await Promise.all([a2.waitExit(), b.waitExit()]);
  });
});
