// Adds a consumer group's offsets to a producer's transaction (sendOffsetsToTransaction, before
// TxnOffsetCommit). Versions 0-4 (flexible from 3). Errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED
// (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS, INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE.
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '@brook/protocol';
import { fencedForVersion } from '../errors.js';
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
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
  },
);
