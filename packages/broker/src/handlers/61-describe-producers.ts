// Lists the active idempotent/transactional producers of partitions (kafka-transactions describe-producers),
// from storage's producer state, which survives restarts. Version 0 (flexible). Errors: UNKNOWN_TOPIC_OR_PARTITION.
import { DescribeProducersRequest, DescribeProducersResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { resolvePartition } from '../state/data-path.js';

export const describeProducers = defineHandler(
  DescribeProducersRequest,
  DescribeProducersResponse,
  { min: 0, max: 0 },
  (req, ctx) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const resolved = resolvePartition(ctx.broker.topics, ctx.broker.logs, t.name, partitionIndex);
        if (!('log' in resolved)) {
          return { partitionIndex, errorCode: resolved.errorCode, errorMessage: null, activeProducers: [] };
        }
        const activeProducers = [...resolved.log.producers.entries()].map((e) => ({
          producerId: e.producerId,
          producerEpoch: e.epoch,
          lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1,
          lastTimestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnStartOffset: e.currentTxnFirstOffset,
        }));
        return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
      }),
    })),
  }),
  {
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          errorCode,
          errorMessage: null,
          activeProducers: [],
        })),
      })),
    }),
  },
);
