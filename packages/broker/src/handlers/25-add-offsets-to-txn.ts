// Adds a consumer group's offsets to a producer's transaction (sendOffsetsToTransaction, before
// TxnOffsetCommit). Versions 0-4 (flexible from 3). Errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED
// (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS, INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE.
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const addOffsetsToTxn = defineHandler(
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  { min: 0, max: 4 },
  (req, ctx) => {
    const errorCode = ctx.broker.transactions.addOffsets(
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.groupId,
    );
    const fenced = errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2;
    return { throttleTimeMs: 0, errorCode: fenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode };
  },
);
