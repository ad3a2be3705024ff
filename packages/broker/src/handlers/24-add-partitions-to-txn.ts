// Adds partitions to a producer's transaction (the transaction coordinator; state/transactions).
// Versions 0-5 (flexible from 3). v0-3: one transaction (v3AndBelow* fields); v4+: the batched
// `transactions` form with verifyOnly (Kafka's broker-to-coordinator verification). Errors per partition:
// INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS,
// UNKNOWN_TOPIC_OR_PARTITION (with OPERATION_NOT_ATTEMPTED for the others), INVALID_TXN_STATE (verifyOnly).
import {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
  ErrorCode,
} from '@brook/protocol';
import { fencedForVersion } from '../errors.js';
import { defineHandler } from '../handler.js';

type TopicResult = AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult;

export const addPartitionsToTxn = defineHandler(
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  { min: 0, max: 5 },
  (req, ctx) => {
    const version = ctx.apiVersion;
    const coordinator = ctx.broker.transactions;
    const toResults = (r: { name: string; partitions: { partition: number; errorCode: number }[] }[]): TopicResult[] =>
      r.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          partitionErrorCode: fencedForVersion(p.errorCode, version, 2),
        })),
      }));
    if (version < 4) {
      const r = coordinator.addPartitions(
        req.v3AndBelowTransactionalId ?? '',
        req.v3AndBelowProducerId ?? -1n,
        req.v3AndBelowProducerEpoch ?? -1,
        (req.v3AndBelowTopics ?? []).map((t) => ({ name: t.name, partitions: t.partitions })),
      );
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: toResults(r) };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: (req.transactions ?? []).map((txn) => ({
        transactionalId: txn.transactionalId,
        topicResults: toResults(
          coordinator.addPartitions(
            txn.transactionalId,
            txn.producerId,
            txn.producerEpoch,
            txn.topics.map((t) => ({ name: t.name, partitions: t.partitions })),
            txn.verifyOnly,
          ),
        ),
      })),
    };
  },
  {
    errorResponse: (req, errorCode, ctx) => {
      const results = (topics: { name: string; partitions: number[] }[]): TopicResult[] =>
        topics.map((t) => ({
          name: t.name,
          resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })),
        }));
      if (ctx.apiVersion < 4)
        return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results(req.v3AndBelowTopics ?? []) };
      return { throttleTimeMs: 0, errorCode, resultsByTransaction: [] };
    },
  },
);
