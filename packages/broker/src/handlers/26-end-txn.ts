// Commits or aborts a producer's transaction: the coordinator logs PrepareCommit/PrepareAbort, writes a
// marker to every partition of the transaction, applies (commit) or drops (abort) the offsets staged by
// TxnOffsetCommit, and logs CompleteCommit/CompleteAbort before answering. Versions 0-4 (flexible from 3).
// Errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2),
// INVALID_TXN_STATE, CONCURRENT_TRANSACTIONS, COORDINATOR_NOT_AVAILABLE.
import { EndTxnRequest, EndTxnResponse } from '@brook/protocol';
import { fencedForVersion } from '../errors.js';
import { defineHandler } from '../handler.js';

export const endTxn = defineHandler(EndTxnRequest, EndTxnResponse, { min: 0, max: 4 }, (req, ctx) => {
  const errorCode = ctx.broker.transactions.endTxn(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    req.committed,
  );
  return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
});
