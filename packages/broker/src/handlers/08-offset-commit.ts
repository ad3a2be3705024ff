// Commits consumer offsets (with a metadata string) to the group coordinator, which writes them to
// __consumer_offsets. Standalone consumers commit with generation -1 (v0 has no generation).
// Versions 0-9 (generation, member and an explicit commit timestamp in 1; retention 2-4: an offset
// committed with one expires at commit time + retention, as in Kafka; leader epoch from 6;
// group.instance.id from 7; flexible from 8). Errors per partition: ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID, OFFSET_METADATA_TOO_LARGE,
// UNKNOWN_TOPIC_OR_PARTITION, INVALID_GROUP_ID, COORDINATOR_LOAD_IN_PROGRESS.
import { ErrorCode, OffsetCommitRequest, OffsetCommitResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const offsetCommit = defineHandler(
  OffsetCommitRequest,
  OffsetCommitResponse,
  { min: 0, max: 9 },
  (req, ctx) => {
    const topics = ctx.broker.topics;
    const known = (name: string, p: number) => {
      const t = topics.get(name);
      return t !== undefined && p >= 0 && p < t.partitions;
    };
    // -1 = the broker's offsets.retention.minutes (Kafka's DEFAULT_RETENTION_TIME).
    const retention = req.retentionTimeMs ?? -1n;
    const committed = ctx.broker.groups.commitOffsets(
      req.groupId,
      req.memberId ?? '',
      req.groupInstanceId ?? null,
      req.generationIdOrMemberEpoch ?? -1,
      req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions
          .filter((p) => known(t.name, p.partitionIndex))
          .map((p) => ({
            partitionIndex: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
            metadata: p.committedMetadata,
            ...(p.commitTimestamp !== undefined && p.commitTimestamp !== -1n
              ? { commitTimestamp: Number(p.commitTimestamp) }
              : {}),
          })),
      })),
      retention === -1n ? {} : { retentionMs: Number(retention) },
    );
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, i) => {
        const result = committed[i]?.partitions ?? [];
        return {
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: known(t.name, p.partitionIndex)
              ? (result.find((r) => r.partitionIndex === p.partitionIndex)?.errorCode ?? ErrorCode.NONE)
              : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          })),
        };
      }),
    };
  },
  {
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    }),
  },
);
