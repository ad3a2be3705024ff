// End offset of a leader epoch, for consumers validating their position after a leader change (KIP-320)
// and truncating followers. One broker has a single epoch (LEADER_EPOCH) that starts at offset 0.
// Versions 0-4 (flexible from 4). Errors: UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (v2+).
import {
  ErrorCode,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochResponseEpochEndOffset,
} from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { LEADER_EPOCH, leaderEpochError, resolvePartition } from '../state/data-path.js';

type EpochEndOffset = OffsetForLeaderEpochResponseEpochEndOffset;

export const offsetForLeaderEpoch = defineHandler(
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  { min: 0, max: 4 },
  (req, ctx) => {
    const version = ctx.apiVersion;
    const answer = (partition: number, errorCode: number, leaderEpoch = -1, endOffset = -1n): EpochEndOffset =>
      version >= 1 ? { partition, errorCode, leaderEpoch, endOffset } : { partition, errorCode, endOffset };
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const resolved = resolvePartition(ctx.broker.topics, ctx.broker.logs, t.topic, p.partition);
          if (!('log' in resolved)) return answer(p.partition, resolved.errorCode);
          const epochError = leaderEpochError(version >= 2 ? p.currentLeaderEpoch : -1);
          if (epochError !== ErrorCode.NONE) return answer(p.partition, epochError);
          // Kafka's LeaderEpochFileCache.endOffsetFor with one epoch entry starting at offset 0:
          // the current epoch ends at the log end; an older one ends where the current one starts;
          // an unknown newer one (or -1) is undefined.
          if (p.leaderEpoch === LEADER_EPOCH) {
            return answer(p.partition, ErrorCode.NONE, LEADER_EPOCH, resolved.log.logEndOffset);
          }
          if (p.leaderEpoch >= 0 && p.leaderEpoch < LEADER_EPOCH) {
            return answer(p.partition, ErrorCode.NONE, p.leaderEpoch, 0n);
          }
          return answer(p.partition, ErrorCode.NONE);
        }),
      })),
    };
  },
  {
    errorResponse: (req, errorCode, ctx) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) =>
          ctx.apiVersion >= 1
            ? { partition: p.partition, errorCode, leaderEpoch: -1, endOffset: -1n }
            : { partition: p.partition, errorCode, endOffset: -1n },
        ),
      })),
    }),
  },
);
