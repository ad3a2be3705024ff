// Every advertised version of the group APIs on the wire (Brook's own codec as the client): requests
// decode, responses encode, and the answers make sense at each version. Also static membership
// fencing at the protocol level and MEMBER_ID_REQUIRED from JoinGroup v4.

import { type Broker, startBroker } from '@brook/broker';
import {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ErrorCode,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  MetadataRequest,
  MetadataResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@brook/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';

let broker: Broker;
let client: CodecClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null });
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'wire-t', numPartitions: 2 }] });
  await admin.disconnect();
  client = await CodecClient.open(broker.port);
});

afterAll(async () => {
  client.close();
  await broker.close();
});

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const protocols = [{ name: 'range', metadata: Buffer.from('meta') }];

/** Joins (handling MEMBER_ID_REQUIRED from v4) and syncs one member; returns member id and generation. */
async function joinAndSync(groupId: string, v: number, groupInstanceId: string | null = null) {
  const join = (memberId: string) =>
    client.request(JoinGroupRequest, JoinGroupResponse, v, {
      groupId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId,
      protocolType: 'consumer',
      protocols,
    });
  let r = await join('');
  if (v >= 4 && groupInstanceId === null) {
    expect(r.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    r = await join(r.memberId);
  }
  expect(r.errorCode).toBe(0);
  expect(r.generationId).toBeGreaterThanOrEqual(1);
  expect(r.leader).toBe(r.memberId);
  expect(r.protocolName).toBe('range');
  if (v >= 7) expect(r.protocolType).toBe('consumer');
  expect(r.members.map((m) => m.memberId)).toEqual([r.memberId]);
  const sv = Math.min(v, 5);
  const s = await client.request(SyncGroupRequest, SyncGroupResponse, sv, {
    groupId,
    generationId: r.generationId,
    memberId: r.memberId,
    groupInstanceId,
    protocolType: sv >= 5 ? 'consumer' : null,
    protocolName: sv >= 5 ? 'range' : null,
    assignments: [{ memberId: r.memberId, assignment: Buffer.from('assignment') }],
  });
  expect(s.errorCode).toBe(0);
  expect(s.assignment.toString()).toBe('assignment');
  if (sv >= 5) expect(s.protocolName).toBe('range');
  return { memberId: r.memberId, generationId: r.generationId };
}

describe('group APIs at every version', () => {
  it('FindCoordinator 0-6 answers this node, batched from v4', async () => {
    for (const v of range(0, 6)) {
      if (v < 4) {
        const r = await client.request(FindCoordinatorRequest, FindCoordinatorResponse, v, { key: 'g', keyType: 0 });
        expect(r).toMatchObject({ errorCode: 0, nodeId: broker.state.nodeId, port: broker.port });
      } else {
        const r = await client.request(FindCoordinatorRequest, FindCoordinatorResponse, v, {
          keyType: 0,
          coordinatorKeys: ['a', 'b'],
        });
        expect(r.coordinators!.map((c) => [c.key, c.errorCode, c.nodeId, c.port])).toEqual([
          ['a', 0, broker.state.nodeId, broker.port],
          ['b', 0, broker.state.nodeId, broker.port],
        ]);
      }
    }
    const bad = await client.request(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key: 'g', keyType: 9 });
    expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    // The first group lookup created __consumer_offsets; Metadata lists it as internal.
    const md = await client.request(MetadataRequest, MetadataResponse, 12, {
      topics: [{ name: '__consumer_offsets' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(md.topics.map((t) => [t.name, t.errorCode, t.isInternal, t.partitions.length])).toEqual([
      ['__consumer_offsets', 0, true, 50],
    ]);
  });

  it('JoinGroup 0-9 with SyncGroup, Heartbeat and LeaveGroup at matching versions', async () => {
    for (const v of range(0, 9)) {
      const groupId = `wire-join-${v}`;
      const { memberId, generationId } = await joinAndSync(groupId, v);
      const hv = Math.min(v, 4);
      const hb = (gen: number, id = memberId) =>
        client.request(HeartbeatRequest, HeartbeatResponse, hv, { groupId, generationId: gen, memberId: id });
      expect((await hb(generationId)).errorCode).toBe(0);
      expect((await hb(generationId + 1)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await hb(generationId, 'nobody')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const lv = Math.min(v, 5);
      const leave =
        lv >= 3
          ? await client.request(LeaveGroupRequest, LeaveGroupResponse, lv, {
              groupId,
              members: [
                { memberId, groupInstanceId: null },
                { memberId: 'ghost', groupInstanceId: null },
              ],
            })
          : await client.request(LeaveGroupRequest, LeaveGroupResponse, lv, { groupId, memberId });
      expect(leave.errorCode).toBe(0);
      if (lv >= 3) expect(leave.members!.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
      expect(broker.state.groups.group(groupId)!.state).toBe('Empty');
    }
  });

  it('OffsetCommit 0-9 and OffsetFetch 0-9 (multi-group from v8)', async () => {
    for (const v of range(0, 9)) {
      const r = await client.request(OffsetCommitRequest, OffsetCommitResponse, v, {
        groupId: `wire-oc-${v}`,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 'wire-t',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: BigInt(100 + v),
                committedLeaderEpoch: 4,
                commitTimestamp: -1n,
                committedMetadata: `m${v}`,
              },
              { partitionIndex: 9, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
          { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '' }] },
        ],
      });
      expect(r.topics.map((t) => t.partitions.map((p) => p.errorCode))).toEqual([
        [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
    }
    for (const v of range(0, 9)) {
      const g = `wire-oc-${v}`;
      if (v >= 8) {
        const r = await client.request(OffsetFetchRequest, OffsetFetchResponse, v, {
          groups: [
            { groupId: g, topics: [{ name: 'wire-t', partitionIndexes: [0, 1] }] },
            { groupId: 'wire-oc-0', topics: null },
          ],
          requireStable: true,
        });
        const [a, b] = r.groups!;
        expect(a!.errorCode).toBe(0);
        expect(a!.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata])).toEqual([
          [BigInt(100 + v), 4, `m${v}`],
          [-1n, -1, ''],
        ]);
        expect(b!.topics[0]!.partitions[0]!.committedOffset).toBe(100n);
      } else {
        const r = await client.request(OffsetFetchRequest, OffsetFetchResponse, v, {
          groupId: g,
          topics: [{ name: 'wire-t', partitionIndexes: [0, 1] }],
          requireStable: v >= 7,
        });
        const [p0, p1] = r.topics![0]!.partitions;
        expect(p0!.committedOffset).toBe(BigInt(100 + v));
        expect(p0!.metadata).toBe(`m${v}`);
        // The committed leader epoch is on the wire from v5 (and committed from OffsetCommit v6).
        if (v >= 6) expect(p0!.committedLeaderEpoch).toBe(4);
        expect(p1!.committedOffset).toBe(-1n);
        if (v >= 2) {
          expect(r.errorCode).toBe(0);
          const all = await client.request(OffsetFetchRequest, OffsetFetchResponse, v, { groupId: g, topics: null });
          expect(all.topics!.map((t) => t.name)).toEqual(['wire-t']);
        }
      }
    }
  });

  it('DescribeGroups 0-5, ListGroups 0-5 (states filter from v4), OffsetDelete 0, DeleteGroups 0-2', async () => {
    const { memberId } = await joinAndSync('wire-admin', 9);
    for (const v of range(0, 5)) {
      const d = await client.request(DescribeGroupsRequest, DescribeGroupsResponse, v, {
        groups: ['wire-admin', 'wire-none'],
        includeAuthorizedOperations: v >= 3,
      });
      const [g, none] = d.groups;
      expect(g).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
      expect(g!.members.map((m) => [m.memberId, m.memberAssignment.toString()])).toEqual([[memberId, 'assignment']]);
      if (v >= 3) expect(g!.authorizedOperations).toBeGreaterThan(0);
      expect(none!.groupState).toBe('Dead');

      const l = await client.request(ListGroupsRequest, ListGroupsResponse, v, {
        statesFilter: v >= 4 ? ['Stable'] : [],
        typesFilter: v >= 5 ? ['classic'] : [],
      });
      expect(l.errorCode).toBe(0);
      const ids = l.groups.map((x) => x.groupId);
      expect(ids).toContain('wire-admin');
      if (v >= 4) {
        expect(ids).not.toContain('wire-oc-0'); // Empty, filtered out
        expect(l.groups.find((x) => x.groupId === 'wire-admin')!.groupState).toBe('Stable');
      } else {
        expect(ids).toContain('wire-oc-0');
      }
    }

    const od = await client.request(OffsetDeleteRequest, OffsetDeleteResponse, 0, {
      groupId: 'wire-oc-3',
      topics: [{ name: 'wire-t', partitions: [{ partitionIndex: 0 }, { partitionIndex: 7 }] }],
    });
    expect(od.errorCode).toBe(0);
    expect(od.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const odMissing = await client.request(OffsetDeleteRequest, OffsetDeleteResponse, 0, {
      groupId: 'nope',
      topics: [],
    });
    expect(odMissing.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    for (const v of range(0, 2)) {
      const r = await client.request(DeleteGroupsRequest, DeleteGroupsResponse, v, {
        groupsNames: [`wire-oc-${v}`, 'wire-admin', 'nope'],
      });
      expect(r.results.map((x) => x.errorCode)).toEqual([0, ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND]);
    }
  });

  it('static membership: a rejoining instance fences the old member id without a rebalance', async () => {
    const groupId = 'wire-static';
    const first = await joinAndSync(groupId, 5, 'inst-1');
    const again = await client.request(JoinGroupRequest, JoinGroupResponse, 5, {
      groupId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: 'inst-1',
      protocolType: 'consumer',
      protocols,
    });
    expect(again.errorCode).toBe(0);
    expect(again.generationId).toBe(first.generationId);
    expect(again.memberId).not.toBe(first.memberId);
    const hb = (memberId: string) =>
      client.request(HeartbeatRequest, HeartbeatResponse, 4, {
        groupId,
        generationId: first.generationId,
        memberId,
        groupInstanceId: 'inst-1',
      });
    expect((await hb(first.memberId)).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await hb(again.memberId)).errorCode).toBe(0);
    const commit = await client.request(OffsetCommitRequest, OffsetCommitResponse, 7, {
      groupId,
      generationIdOrMemberEpoch: first.generationId,
      memberId: first.memberId,
      groupInstanceId: 'inst-1',
      topics: [{ name: 'wire-t', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '' }] }],
    });
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    // Admin removal by instance id (LeaveGroup v3+ with an empty member id).
    const leave = await client.request(LeaveGroupRequest, LeaveGroupResponse, 5, {
      groupId,
      members: [{ memberId: '', groupInstanceId: 'inst-1', reason: 'admin' }],
    });
    expect(leave.members!.map((m) => m.errorCode)).toEqual([0]);
    expect(broker.state.groups.group(groupId)!.state).toBe('Empty');
  });
});
