// Stages consumer offsets in a transaction (sendOffsetsToTransaction); they become the group's committed
// offsets when the transaction commits, and vanish if it aborts. Versions 0-4 (leader epoch from 2;
// generation, member id and group.instance.id from 3, checked like OffsetCommit; flexible from 3).
// Errors per partition: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v3),
// INVALID_TXN_STATE (group not added with AddOffsetsToTxn), CONCURRENT_TRANSACTIONS, INVALID_GROUP_ID,
// UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID, UNKNOWN_TOPIC_OR_PARTITION,
// OFFSET_METADATA_TOO_LARGE, COORDINATOR_LOAD_IN_PROGRESS.
import { ErrorCode, TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '@brook/protocol';
import { fencedForVersion } from '../errors.js';
import { defineHandler } from '../handler.js';

export const txnOffsetCommit = defineHandler(
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  { min: 0, max: 4 },
  (req, ctx) => {
    const all = (errorCode: number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    });
    if (ctx.broker.groups.isLoading) return all(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const result = ctx.broker.transactions.txnOffsetCommit(
      req.transactionalId,
      req.groupId,
      req.producerId,
      req.producerEpoch,
      {
        memberId: req.memberId ?? '',
        groupInstanceId: req.groupInstanceId ?? null,
        generationId: req.generationId ?? -1,
      },
      req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.committedMetadata,
        })),
      })),
    );
    return {
      throttleTimeMs: 0,
      topics: result.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: fencedForVersion(p.errorCode, ctx.apiVersion, 3),
        })),
      })),
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
