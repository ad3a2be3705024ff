// Fetches committed offsets of a group (v8+: of several groups). Partitions without a commit answer
// offset -1; a null topic list (v2+) means every committed partition. Versions 0-9 (group-level
// error code from 2; leader epoch from 5; flexible from 6; requireStable from 7: UNSTABLE_OFFSET_COMMIT
// for a partition with offsets staged by an open transaction; groups batch from 8; member id/epoch
// from 9, only used by the new consumer protocol). Errors: COORDINATOR_LOAD_IN_PROGRESS (per partition in v0-1, per group after).
import { ErrorCode, OffsetFetchRequest, OffsetFetchResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import type { FetchResult } from '../state/groups/group-coordinator.js';

type TopicsRequest = { name: string; partitionIndexes: number[] }[] | null | undefined;

export const offsetFetch = defineHandler(OffsetFetchRequest, OffsetFetchResponse, { min: 0, max: 9 }, (req, ctx) => {
  const v = ctx.apiVersion;
  const groups = ctx.broker.groups;
  const fetch = (groupId: string, topics: TopicsRequest): FetchResult =>
    groups.fetchOffsets(
      groupId,
      topics === null || topics === undefined
        ? null
        : topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })),
    );
  const unstable = (groupId: string, topic: string, p: number) =>
    req.requireStable === true && ctx.broker.transactions.hasPendingOffset(groupId, topic, p);
  const toTopics = (r: FetchResult, groupId: string) =>
    r.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.offset,
        // The leader epoch is on the wire from v5 only.
        committedLeaderEpoch: v >= 5 ? p.leaderEpoch : -1,
        metadata: p.metadata,
        errorCode:
          p.errorCode === 0 && unstable(groupId, t.name, p.partitionIndex)
            ? ErrorCode.UNSTABLE_OFFSET_COMMIT
            : p.errorCode,
      })),
    }));
  if (v >= 8) {
    return {
      throttleTimeMs: 0,
      groups: (req.groups ?? []).map((g) => {
        const r = fetch(g.groupId, g.topics);
        return { groupId: g.groupId, errorCode: r.errorCode, topics: r.errorCode !== 0 ? [] : toTopics(r, g.groupId) };
      }),
    };
  }
  const r = fetch(req.groupId ?? '', v >= 2 ? req.topics : (req.topics ?? []));
  // v0-1 have no group-level error: it is already repeated in every partition.
  if (v < 2) return { throttleTimeMs: 0, topics: toTopics(r, req.groupId ?? '') };
  if (r.errorCode !== 0) return { throttleTimeMs: 0, errorCode: r.errorCode, topics: [] };
  return { throttleTimeMs: 0, errorCode: 0, topics: toTopics(r, req.groupId ?? '') };
});
