// Consumer groups with kafkajs against a real Brook: one member, three members over six partitions
// (each record exactly once, no overlapping assignments), a member leaving, a member SIGKILLed in a
// child process (reassigned after its session timeout), commit + broker restart + resume, eachBatch,
// seek, pause/resume, and the admin group APIs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, type Consumer, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'brook-groups-'));
let broker: Broker;
let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];
const children: ChildProcess[] = [];

async function start(): Promise<void> {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir });
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'groups-test', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
}

async function stop(): Promise<void> {
  await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => {})));
  await admin.disconnect();
  await broker.close();
}

beforeAll(start);
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
}

async function produce(topic: string, count: number, partitions: number, prefix = 'v'): Promise<void> {
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  await p.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ partition: i % partitions, value: `${prefix}-${i}` })),
  });
  await p.disconnect();
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Member {
  consumer: Consumer;
  assigned: number[];
  records: { partition: number; offset: string; value: string }[];
  joins: number;
}

/** A group member that records its assignment (from GROUP_JOIN) and every record it sees. */
async function member(groupId: string, topic: string, opts: Partial<Parameters<Kafka['consumer']>[0]> = {}) {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 300, maxWaitTimeInMs: 500, ...opts });
  consumers.push(consumer);
  const m: Member = { consumer, assigned: [], records: [], joins: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    m.assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    m.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      m.records.push({ partition, offset: message.offset, value: message.value!.toString() });
    },
  });
  return m;
}

function keys(ms: Member[]): string[] {
  return ms.flatMap((m) => m.records.map((r) => `${r.partition}:${r.offset}`));
}

function coverage(ms: Member[], partitions: number): boolean {
  const all = ms.flatMap((m) => m.assigned).sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}

describe('consumer groups with kafkajs', () => {
  it('one member consumes everything; first record well under 1 s', async () => {
    await createTopic('g-one', 1);
    await produce('g-one', 10, 1);
    const t0 = Date.now();
    const m = await member('grp-one', 'g-one');
    await waitFor(() => m.records.length >= 1, 10_000, 'first record');
    const firstRecordMs = Date.now() - t0;
    console.log(`[groups] kafkajs consumer start → first record: ${firstRecordMs} ms`);
    expect(firstRecordMs).toBeLessThan(1000);
    await waitFor(() => m.records.length === 10, 10_000, 'all records');
    expect(m.records.map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v-${i}`));
  });

  let three: Member[] = [];

  it('three members over six partitions: disjoint assignments, each record exactly once', async () => {
    await createTopic('g-six', 6);
    three = [];
    for (let i = 0; i < 3; i++) three.push(await member('grp-six', 'g-six'));
    await waitFor(() => coverage(three, 6) && three.every((m) => m.assigned.length === 2), 20_000, 'balanced');
    await produce('g-six', 120, 6);
    await waitFor(() => keys(three).length >= 120, 20_000, '120 records');
    await new Promise((r) => setTimeout(r, 300));
    const k = keys(three);
    expect(k).toHaveLength(120);
    expect(new Set(k).size).toBe(120);
    for (const m of three) {
      // Everything a member read came from its own partitions.
      expect(m.records.every((r) => m.assigned.includes(r.partition))).toBe(true);
      expect(m.records).toHaveLength(40);
    }
  });

  it('a member leaving: its partitions are reassigned and nothing is lost or read twice', async () => {
    const [gone, ...rest] = three as [Member, Member, Member];
    await gone.consumer.disconnect();
    await waitFor(() => coverage(rest, 6), 20_000, 'reassignment after leave');
    await produce('g-six', 60, 6, 'w');
    await waitFor(() => keys(rest).length >= 120 - gone.records.length + 60, 20_000, 'records after leave');
    await new Promise((r) => setTimeout(r, 300));
    const all = keys(three);
    expect(all).toHaveLength(180);
    expect(new Set(all).size).toBe(180);
    await Promise.all(rest.map((m) => m.consumer.disconnect()));
  });

  it('a SIGKILLed member (child process) loses its partitions after the session timeout', async () => {
    await createTopic('g-kill', 4);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures', 'kafkajs-group-consumer.ts'),
        broker.bootstrap,
        'grp-kill',
        'g-kill',
        '6000',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    let childAssigned: number[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as { event: string; partitions?: number[] };
      if (e.event === 'assigned') childAssigned = e.partitions ?? [];
    });
    await waitFor(() => childAssigned.length === 4, 20_000, 'child consumer assigned');
    const survivor = await member('grp-kill', 'g-kill', { sessionTimeout: 6000 });
    await waitFor(() => survivor.assigned.length === 2 && childAssigned.length === 2, 20_000, 'split with the child');
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => survivor.assigned.length === 4, 20_000, 'survivor takes over');
    const tookMs = Date.now() - killedAt;
    console.log(`[groups] SIGKILLed member's partitions reassigned after ${tookMs} ms (session timeout 6000 ms)`);
    expect(tookMs).toBeGreaterThanOrEqual(4000);
    await produce('g-kill', 8, 4);
    await waitFor(() => survivor.records.length >= 8, 10_000, 'records after takeover');
    await survivor.consumer.disconnect();
  });

  it('commits, survives a broker restart, and resumes from the committed offsets', async () => {
    await createTopic('g-restart', 2);
    await produce('g-restart', 10, 2);
    const m = await member('grp-restart', 'g-restart');
    await waitFor(() => m.records.length === 10, 10_000, 'first 10');
    await m.consumer.disconnect(); // commits on the way out
    const before = await admin.fetchOffsets({ groupId: 'grp-restart', topics: ['g-restart'] });
    expect(before[0]!.partitions.map((p) => p.offset).sort()).toEqual(['5', '5']);

    await stop();
    await start();
    const after = await admin.fetchOffsets({ groupId: 'grp-restart', topics: ['g-restart'] });
    expect(after[0]!.partitions.map((p) => p.offset).sort()).toEqual(['5', '5']);
    await produce('g-restart', 4, 2, 'new');
    const again = await member('grp-restart', 'g-restart');
    await waitFor(() => again.records.length >= 4, 10_000, 'records after restart');
    await new Promise((r) => setTimeout(r, 300));
    expect(again.records.map((r) => r.value).sort()).toEqual(['new-0', 'new-1', 'new-2', 'new-3']);
    await again.consumer.disconnect();
  });

  it('eachBatch, seek and pause/resume', async () => {
    await createTopic('g-batch', 1);
    await produce('g-batch', 20, 1);
    const consumer = kafka.consumer({ groupId: 'grp-batch', heartbeatInterval: 300, maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'g-batch', fromBeginning: true });
    const seen: string[] = [];
    let batches = 0;
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        batches++;
        for (const message of batch.messages) {
          seen.push(message.offset);
          resolveOffset(message.offset);
        }
        await heartbeat();
      },
    });
    await waitFor(() => seen.length >= 20, 10_000, 'batch records');
    expect(batches).toBeGreaterThanOrEqual(1);
    // seek back to offset 5: offsets 5..19 come again.
    consumer.seek({ topic: 'g-batch', partition: 0, offset: '5' });
    await waitFor(() => seen.length >= 35, 10_000, 'records after seek');
    expect(seen.slice(20, 35)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 5)));
    // pause: new records wait; resume: they arrive.
    consumer.pause([{ topic: 'g-batch' }]);
    await new Promise((r) => setTimeout(r, 200));
    const paused = seen.length;
    await produce('g-batch', 5, 1, 'p');
    await new Promise((r) => setTimeout(r, 800));
    expect(seen.length).toBe(paused);
    consumer.resume([{ topic: 'g-batch' }]);
    await waitFor(() => seen.length >= paused + 5, 10_000, 'records after resume');
    await consumer.disconnect();
  });

  it('admin: listGroups, describeGroups, fetchOffsets, resetOffsets, setOffsets, deleteGroups', async () => {
    await createTopic('g-admin', 3);
    await produce('g-admin', 30, 3);
    const m = await member('grp-admin', 'g-admin');
    await waitFor(() => m.records.length === 30, 10_000, 'admin records');

    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: 'grp-admin', protocolType: 'consumer' });
    const described = await admin.describeGroups(['grp-admin', 'grp-none']);
    const d = described.groups.find((g) => g.groupId === 'grp-admin')!;
    expect(d.state).toBe('Stable');
    expect(d.protocolType).toBe('consumer');
    expect(d.protocol).toBe('RoundRobinAssigner');
    expect(d.members).toHaveLength(1);
    expect(d.members[0]!.clientId).toBe('groups-test');
    expect(d.members[0]!.memberAssignment.length).toBeGreaterThan(0);
    expect(described.groups.find((g) => g.groupId === 'grp-none')!.state).toBe('Dead');

    await m.consumer.disconnect();

    const offs = await admin.fetchOffsets({ groupId: 'grp-admin', topics: ['g-admin'] });
    expect(offs[0]!.partitions.map((p) => p.offset)).toEqual(['10', '10', '10']);
    // kafkajs resets by committing the special offsets -2 (earliest) and -1 (latest), as with Kafka.
    await admin.resetOffsets({ groupId: 'grp-admin', topic: 'g-admin', earliest: true });
    let now = await admin.fetchOffsets({ groupId: 'grp-admin', topics: ['g-admin'] });
    expect(now[0]!.partitions.map((p) => p.offset)).toEqual(['-2', '-2', '-2']);
    await admin.setOffsets({ groupId: 'grp-admin', topic: 'g-admin', partitions: [{ partition: 1, offset: '7' }] });
    now = await admin.fetchOffsets({ groupId: 'grp-admin', topics: ['g-admin'] });
    expect(now[0]!.partitions.find((p) => p.partition === 1)!.offset).toBe('7');
    await admin.resetOffsets({ groupId: 'grp-admin', topic: 'g-admin', earliest: false }); // latest
    now = await admin.fetchOffsets({ groupId: 'grp-admin', topics: ['g-admin'] });
    expect(now[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);

    // A consumer of the group starts exactly where setOffsets put it.
    await admin.setOffsets({
      groupId: 'grp-admin',
      topic: 'g-admin',
      partitions: [
        { partition: 0, offset: '10' },
        { partition: 1, offset: '10' },
        { partition: 2, offset: '8' },
      ],
    });
    const resumed = await member('grp-admin', 'g-admin');
    await waitFor(() => resumed.records.length >= 2, 10_000, 'records from set offsets');
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.records.map((r) => `${r.partition}:${r.offset}`).sort()).toEqual(['2:8', '2:9']);
    await resumed.consumer.disconnect();

    const deleted = await admin.deleteGroups(['grp-admin']);
    expect(deleted).toEqual([{ groupId: 'grp-admin', errorCode: 0 }]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('grp-admin');
    const gone = await admin.fetchOffsets({ groupId: 'grp-admin', topics: ['g-admin'] });
    expect(gone[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);
  });
});
