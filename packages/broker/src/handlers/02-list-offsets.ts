// Finds offsets: earliest (-2), latest (-1), max timestamp (-3, v7+), earliest local (-4, v8+), latest
// tiered (-5, v9+: -1, no tiered storage) or the first offset with a timestamp >= the one given.
// Versions 0-9 (flexible from 6; v0 answers with the old offsets array). Errors: UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_REQUEST (duplicate partition), FENCED/UNKNOWN_LEADER_EPOCH (v4+), KAFKA_STORAGE_ERROR.
import {
  ErrorCode,
  ListOffsetsRequest,
  ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '@brook/protocol';
import type { PartitionLog } from '@brook/storage';
import { defineHandler, type RequestContext } from '../handler.js';
import { LEADER_EPOCH, lastReadableOffset, leaderEpochError, resolvePartition } from '../state/data-path.js';

type PartitionResponse = ListOffsetsResponseListOffsetsPartitionResponse;

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export const listOffsets = defineHandler(
  ListOffsetsRequest,
  ListOffsetsResponse,
  { min: 0, max: 9 },
  (req, ctx) => {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const key = `${t.name}:${p.partitionIndex}`;
        if (seen.has(key)) duplicates.add(key);
        seen.add(key);
      }
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) =>
          duplicates.has(`${t.name}:${p.partitionIndex}`)
            ? failed(ctx.apiVersion, p.partitionIndex, ErrorCode.INVALID_REQUEST)
            : listPartition(
                ctx,
                t.name,
                p.partitionIndex,
                p.timestamp,
                p.currentLeaderEpoch,
                p.maxNumOffsets,
                req.isolationLevel,
              ),
        ),
      })),
    };
  },
  {
    errorResponse: (req, errorCode, ctx) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => failed(ctx.apiVersion, p.partitionIndex, errorCode)),
      })),
    }),
  },
);

function failed(version: number, partitionIndex: number, errorCode: number): PartitionResponse {
  return version === 0 ? { partitionIndex, errorCode, oldStyleOffsets: [] } : { partitionIndex, errorCode };
}

function listPartition(
  ctx: RequestContext,
  topic: string,
  partitionIndex: number,
  timestamp: bigint,
  currentLeaderEpoch: number | undefined,
  maxNumOffsets: number | undefined,
  isolationLevel: number | undefined,
): PartitionResponse {
  const version = ctx.apiVersion;
  const resolved = resolvePartition(ctx.broker.topics, ctx.broker.logs, topic, partitionIndex);
  if (!('log' in resolved)) return failed(version, partitionIndex, resolved.errorCode);
  const epochError = leaderEpochError(version >= 4 ? currentLeaderEpoch : -1);
  if (epochError !== ErrorCode.NONE) return failed(version, partitionIndex, epochError);
  const log = resolved.log;
  try {
    if (version === 0)
      return {
        partitionIndex,
        errorCode: ErrorCode.NONE,
        oldStyleOffsets: oldStyle(log, timestamp, maxNumOffsets ?? 1),
      };
    const found = lookup(log, timestamp, version >= 2 ? (isolationLevel ?? 0) : 0);
    const res: PartitionResponse = {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      timestamp: found ? found.timestamp : -1n,
      offset: found ? found.offset : -1n,
    };
    if (version >= 4) res.leaderEpoch = found ? LEADER_EPOCH : -1;
    return res;
  } catch (err) {
    ctx.log.error({ err, topic, partition: partitionIndex }, 'offset lookup failed');
    return failed(version, partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

/** v1+: one offset (and its timestamp) for a target timestamp or one of the special values. */
function lookup(
  log: PartitionLog,
  timestamp: bigint,
  isolationLevel: number,
): { offset: bigint; timestamp: bigint } | null {
  const readable = lastReadableOffset(log, isolationLevel);
  switch (timestamp) {
    case LATEST:
      return { offset: readable, timestamp: -1n };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1n };
    case LATEST_TIERED:
      // No tiered storage: Kafka answers offset -1 with no timestamp.
      return null;
    case MAX_TIMESTAMP: {
      const r = log.offsetForTimestamp(MAX_TIMESTAMP);
      return r && r.offset < readable ? r : null;
    }
    default: {
      const r = log.offsetForTimestamp(timestamp);
      // Records past the high watermark (or last stable offset) are not visible to consumers yet.
      return r && r.offset < readable ? r : null;
    }
  }
}

/**
 * v0 (pre-KIP-79) answer: offsets in descending order. Kafka lists segment base offsets; one broker's
 * answer here is the high watermark for "latest" and the log start offset for "earliest" and timestamps.
 */
function oldStyle(log: PartitionLog, timestamp: bigint, maxNumOffsets: number): bigint[] {
  if (maxNumOffsets <= 0) return [];
  const hw = log.highWatermark;
  const start = log.logStartOffset;
  if (timestamp === LATEST) return maxNumOffsets > 1 && start !== hw ? [hw, start] : [hw];
  if (timestamp === EARLIEST) return [start];
  const r = log.offsetForTimestamp(timestamp);
  return r && r.offset < hw ? [r.offset] : [];
}
