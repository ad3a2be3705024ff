// Advances partitions' log start offsets (kafka-delete-records, admin.deleteTopicRecords); offset -1
// means the high watermark. Versions 0-2 (flexible from 2). Errors: UNKNOWN_TOPIC_OR_PARTITION,
// OFFSET_OUT_OF_RANGE (negative or beyond the high watermark), POLICY_VIOLATION (compact-only topics).
import { DeleteRecordsRequest, DeleteRecordsResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { resolvePartition } from '../state/data-path.js';

export const deleteRecords = defineHandler(
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  { min: 0, max: 2 },
  async (req, ctx) => {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const failed = (errorCode: number) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode });
            const resolved = resolvePartition(ctx.broker.topics, ctx.broker.logs, t.name, p.partitionIndex);
            if (!('log' in resolved)) return failed(resolved.errorCode);
            const log = resolved.log;
            if (log.config.cleanupPolicy === 'compact') return failed(ErrorCode.POLICY_VIOLATION);
            const target = p.offset === -1n ? log.highWatermark : p.offset;
            if (target < 0n || target > log.highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
            try {
              await log.deleteRecordsBefore(target);
            } catch (err) {
              ctx.log.error({ err, topic: t.name, partition: p.partitionIndex }, 'delete records failed');
              return failed(ErrorCode.KAFKA_STORAGE_ERROR);
            }
            return { partitionIndex: p.partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
  {
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })),
      })),
    }),
  },
);
