import { describe, expect, it } from 'vitest';
import { GroupError } from '../src/state/groups/errors.js';
import type { JoinRequest } from '../src/state/groups/group.js';
import { GroupCoordinator } from '../src/state/groups/group-coordinator.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  javaStringHashCode,
  MemoryOffsetsLog,
  offsetsPartitionFor,
} from '../src/state/groups/offsets-topic.js';
import { FakeClock, joinRequest } from './groups-fake-clock.js';

const flush = () => new Promise((r) => setImmediate(r));

function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 1]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) {
    const l = Buffer.alloc(2);
    l.writeInt16BE(t.length);
    parts.push(l, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff])); // null userData
  return Buffer.concat(parts);
}

const req = (over: Partial<JoinRequest> = {}): JoinRequest => joinRequest(subscription(['t1']), over);

async function started(log = new MemoryOffsetsLog(5), clock = new FakeClock()) {
  const c = new GroupCoordinator({ log, clock, config: { initialRebalanceDelayMs: 0 } });
  await c.start();
  return { c, log, clock };
}

/** One member joins and syncs; returns its member id. */
async function stableMember(c: GroupCoordinator, clock: FakeClock, groupId = 'g'): Promise<string> {
  const p = c.join(groupId, req());
  clock.advance(0);
  const j = await p;
  expect(j.errorCode).toBe(0);
  const s = await c.sync(groupId, {
    memberId: j.memberId,
    groupInstanceId: null,
    generationId: j.generationId,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [{ memberId: j.memberId, assignment: Buffer.from('assign') }],
  });
  expect(s.errorCode).toBe(0);
  return j.memberId;
}

const commitOne = (offset: bigint, metadata: string | null = 'meta') => [
  { name: 't1', partitions: [{ partitionIndex: 0, offset, leaderEpoch: 3, metadata }] },
];

describe('__consumer_offsets records', () => {
  it('round-trips keys and values in Kafka layouts', () => {
    const k = encodeOffsetCommitKey('grp', 'topic', 7);
    expect(k.readInt16BE(0)).toBe(1);
    expect(decodeKey(k)).toEqual({ type: 'offset', group: 'grp', topic: 'topic', partition: 7 });
    const gk = encodeGroupMetadataKey('grp');
    expect(gk.readInt16BE(0)).toBe(2);
    expect(decodeKey(gk)).toEqual({ type: 'group', group: 'grp' });
    expect(decodeKey(Buffer.from([0, 3, 0, 0]))).toBeNull();

    const v = { offset: 42n, leaderEpoch: 5, metadata: 'hi', commitTimestamp: 1234n };
    const vb = encodeOffsetCommitValue(v);
    expect(vb.readInt16BE(0)).toBe(3);
    expect(vb.length).toBe(2 + 8 + 4 + 2 + 2 + 8);
    expect(decodeOffsetCommitValue(vb)).toEqual(v);
    // An explicit retention (OffsetCommit v2-4) is kept as Kafka keeps it: value v1, without the epoch.
    const expiring = { offset: 42n, leaderEpoch: -1, metadata: 'hi', commitTimestamp: 1234n, expireTimestamp: 5678n };
    const eb = encodeOffsetCommitValue({ ...expiring, leaderEpoch: 5 });
    expect(eb.readInt16BE(0)).toBe(1);
    expect(eb.length).toBe(2 + 8 + 2 + 2 + 8 + 8);
    expect(decodeOffsetCommitValue(eb)).toStrictEqual(expiring);

    const g = {
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99n,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: 'inst',
          clientId: 'c',
          clientHost: '/1.2.3.4',
          rebalanceTimeout: 300,
          sessionTimeout: 100,
          subscription: Buffer.from('sub'),
          assignment: Buffer.from('asg'),
        },
      ],
    };
    const gb = encodeGroupMetadataValue(g);
    expect(gb.readInt16BE(0)).toBe(3);
    expect(decodeGroupMetadataValue(gb)).toEqual(g);
    expect(
      decodeGroupMetadataValue(encodeGroupMetadataValue({ ...g, protocol: null, leader: null, members: [] })),
    ).toEqual({
      ...g,
      protocol: null,
      leader: null,
      members: [],
    });
  });

  it('partitions groups like Kafka (abs(String.hashCode) % n)', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
    expect(offsetsPartitionFor('console-consumer-1', 50)).toBe(Math.abs(javaStringHashCode('console-consumer-1')) % 50);
  });
});

describe('group coordinator', () => {
  it('answers COORDINATOR_LOAD_IN_PROGRESS until loaded', async () => {
    const c = new GroupCoordinator({ log: new MemoryOffsetsLog(1) });
    expect((await c.join('g', req())).errorCode).toBe(GroupError.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.heartbeat('g', 'm', null, 1)).toBe(GroupError.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.fetchOffsets('g', null).errorCode).toBe(GroupError.COORDINATOR_LOAD_IN_PROGRESS);
    expect(c.commitOffsets('g', '', null, -1, commitOne(1n))[0]!.partitions[0]!.errorCode).toBe(
      GroupError.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect(c.listGroups([], []).errorCode).toBe(GroupError.COORDINATOR_LOAD_IN_PROGRESS);
    await c.start();
    expect(c.fetchOffsets('g', null).errorCode).toBe(0);
    c.close();
  });

  it('standalone commits with generation -1, fetches with metadata, unknown partitions give -1', async () => {
    const { c } = await started();
    expect(c.commitOffsets('solo', '', null, -1, commitOne(10n, null))[0]!.partitions[0]!.errorCode).toBe(0);
    const f = c.fetchOffsets('solo', [{ name: 't1', partitions: [0, 1] }]);
    expect(f.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, offset: 10n, leaderEpoch: 3, metadata: '', errorCode: 0 },
      { partitionIndex: 1, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    expect(c.fetchOffsets('nobody', [{ name: 't1', partitions: [0] }]).topics[0]!.partitions[0]!.offset).toBe(-1n);
    // A commit with a generation for a group that does not exist is stale.
    expect(c.commitOffsets('other', 'm', null, 3, commitOne(1n))[0]!.partitions[0]!.errorCode).toBe(
      GroupError.ILLEGAL_GENERATION,
    );
    c.close();
  });

  it('rejects oversized commit metadata per partition', async () => {
    const { c } = await started();
    const res = c.commitOffsets('solo', '', null, -1, [
      {
        name: 't1',
        partitions: [
          { partitionIndex: 0, offset: 1n, leaderEpoch: -1, metadata: 'x'.repeat(4097) },
          { partitionIndex: 1, offset: 1n, leaderEpoch: -1, metadata: 'ok' },
        ],
      },
    ]);
    expect(res[0]!.partitions.map((p) => p.errorCode)).toEqual([GroupError.OFFSET_METADATA_TOO_LARGE, 0]);
    c.close();
  });

  it('member commits are checked against the generation', async () => {
    const { c, clock } = await started();
    const m = await stableMember(c, clock);
    expect(c.commitOffsets('g', m, null, 1, commitOne(5n))[0]!.partitions[0]!.errorCode).toBe(0);
    expect(c.commitOffsets('g', m, null, 2, commitOne(5n))[0]!.partitions[0]!.errorCode).toBe(
      GroupError.ILLEGAL_GENERATION,
    );
    expect(c.commitOffsets('g', 'x', null, 1, commitOne(5n))[0]!.partitions[0]!.errorCode).toBe(
      GroupError.UNKNOWN_MEMBER_ID,
    );
    expect(c.commitOffsets('g', '', null, -1, commitOne(5n))[0]!.partitions[0]!.errorCode).toBe(
      GroupError.UNKNOWN_MEMBER_ID,
    );
    c.close();
  });

  it('reloads offsets and Stable group metadata from __consumer_offsets', async () => {
    const log = new MemoryOffsetsLog(5);
    const { c, clock } = await started(log);
    const m = await stableMember(c, clock);
    c.commitOffsets('g', m, null, 1, commitOne(77n, 'meta-77'));
    c.commitOffsets('solo', '', null, -1, commitOne(3n));
    const part = offsetsPartitionFor('g', 5);
    expect(log.partitions[part]!.length).toBeGreaterThan(0);
    c.close();

    const { c: c2, clock: clock2 } = await started(log);
    const g = c2.group('g')!;
    expect(g.state).toBe('Stable');
    expect(g.generationId).toBe(1);
    expect(g.members.get(m)!.assignment.toString()).toBe('assign');
    expect(c2.heartbeat('g', m, null, 1)).toBe(GroupError.NONE);
    expect(c2.fetchOffsets('g', null).topics).toEqual([
      {
        name: 't1',
        partitions: [{ partitionIndex: 0, offset: 77n, leaderEpoch: 3, metadata: 'meta-77', errorCode: 0 }],
      },
    ]);
    expect(c2.fetchOffsets('solo', null).topics[0]!.partitions[0]!.offset).toBe(3n);
    // A restored member that never comes back is evicted after its session timeout.
    clock2.advance(10_001);
    await flush();
    expect(c2.group('g')!.state).toBe('Empty');
    c2.close();
  });

  it('lists and describes groups', async () => {
    const { c, clock } = await started();
    const m = await stableMember(c, clock);
    c.commitOffsets('solo', '', null, -1, commitOne(3n));
    expect(c.listGroups([], []).groups).toEqual([
      { groupId: 'g', protocolType: 'consumer', state: 'Stable', groupType: 'classic' },
      { groupId: 'solo', protocolType: '', state: 'Empty', groupType: 'classic' },
    ]);
    expect(c.listGroups(['stable'], []).groups.map((g) => g.groupId)).toEqual(['g']);
    expect(c.listGroups(['Empty'], []).groups.map((g) => g.groupId)).toEqual(['solo']);
    expect(c.listGroups([], ['consumer']).groups).toEqual([]);
    const d = c.describeGroup('g');
    expect(d).toMatchObject({ errorCode: 0, state: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.members[0]!.memberId).toBe(m);
    expect(d.members[0]!.assignment.toString()).toBe('assign');
    expect(c.describeGroup('missing')).toMatchObject({ errorCode: 0, state: 'Dead', members: [] });
    c.close();
  });

  it('deletes empty groups (and their offsets), refuses non-empty and unknown ones', async () => {
    const log = new MemoryOffsetsLog(3);
    const { c, clock } = await started(log);
    await stableMember(c, clock);
    c.commitOffsets('solo', '', null, -1, commitOne(3n));
    expect(c.deleteGroups(['g', 'solo', 'missing'])).toEqual([
      { groupId: 'g', errorCode: GroupError.NON_EMPTY_GROUP },
      { groupId: 'solo', errorCode: 0 },
      { groupId: 'missing', errorCode: GroupError.GROUP_ID_NOT_FOUND },
    ]);
    expect(c.fetchOffsets('solo', null).topics).toEqual([]);
    c.close();
    const { c: c2 } = await started(log);
    expect(c2.group('solo')).toBeUndefined();
    c2.close();
  });

  it('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for subscribed topics, deletes the others', async () => {
    const { c, clock } = await started();
    const m = await stableMember(c, clock);
    c.commitOffsets('g', m, null, 1, [
      { name: 't1', partitions: [{ partitionIndex: 0, offset: 1n, leaderEpoch: -1, metadata: null }] },
      { name: 't2', partitions: [{ partitionIndex: 0, offset: 2n, leaderEpoch: -1, metadata: null }] },
    ]);
    const r = c.deleteOffsets('g', [
      { name: 't1', partitions: [0] },
      { name: 't2', partitions: [0] },
    ]);
    expect(r.errorCode).toBe(0);
    expect(r.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([GroupError.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
    expect(c.fetchOffsets('g', null).topics.map((t) => t.name)).toEqual(['t1']);
    expect(c.deleteOffsets('missing', []).errorCode).toBe(GroupError.GROUP_ID_NOT_FOUND);
    c.close();
  });

  it('expires offsets of empty groups after offsets.retention, then the group itself', async () => {
    const log = new MemoryOffsetsLog(1);
    const clock = new FakeClock();
    const c = new GroupCoordinator({
      log,
      clock,
      config: { initialRebalanceDelayMs: 0, offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 1000 },
    });
    await c.start();
    const m = await stableMember(c, clock);
    c.commitOffsets('g', m, null, 1, commitOne(9n));
    c.leave('g', [{ memberId: m, groupInstanceId: null }]);
    expect(c.group('g')!.state).toBe('Empty');
    clock.advance(5000);
    c.commitOffsets('solo', '', null, -1, commitOne(3n));
    clock.advance(54_000);
    expect(c.fetchOffsets('g', null).topics).toHaveLength(1); // 59 s since the group became empty
    expect(c.fetchOffsets('solo', null).topics).toHaveLength(1);
    clock.advance(1000);
    expect(c.fetchOffsets('g', null).topics).toHaveLength(0);
    expect(c.group('g')).toBeUndefined();
    expect(c.group('solo')).toBeDefined();
    clock.advance(5000);
    expect(c.group('solo')).toBeUndefined();
    c.close();
    const { c: c2 } = await started(log);
    expect(c2.listGroups([], []).groups).toEqual([]);
    c2.close();
  });

  it('join on an unknown group with a member id is UNKNOWN_MEMBER_ID; sync/heartbeat/leave likewise', async () => {
    const { c } = await started();
    expect((await c.join('nope', req({ memberId: 'm' }))).errorCode).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(
      (
        await c.sync('nope', {
          memberId: 'm',
          groupInstanceId: null,
          generationId: 1,
          protocolType: null,
          protocolName: null,
          assignments: [],
        })
      ).errorCode,
    ).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat('nope', 'm', null, 1)).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(c.leave('nope', [{ memberId: 'm', groupInstanceId: null }]).members[0]!.errorCode).toBe(
      GroupError.UNKNOWN_MEMBER_ID,
    );
    expect((await c.join('', req())).errorCode).toBe(GroupError.INVALID_GROUP_ID);
    c.close();
  });
});

describe('group error codes', () => {
  it('equal the generated ErrorCode values', async () => {
    const { ErrorCode } = await import('@brook/protocol');
    for (const [name, code] of Object.entries(GroupError)) {
      expect((ErrorCode as Record<string, number>)[name], name).toBe(code);
    }
  });
});
