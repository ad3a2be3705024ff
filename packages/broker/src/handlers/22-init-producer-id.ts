// Hands out idempotent producer ids (epoch 0), never reused across restarts; with the producer id and
// epoch of an id it issued (v3+, KIP-360) it bumps the epoch, fencing the old one (Kafka 3.9 hands out a
// fresh id instead; clients accept either). Versions 0-5 (flexible from 2). Errors: INVALID_REQUEST (id
// without epoch or vice versa, empty transactional id), PRODUCER_FENCED (v4+; INVALID_PRODUCER_EPOCH
// before) for a stale epoch.
// With a transactional id the transaction coordinator answers (state/transactions): epoch bump, fencing
// of the previous instance and abort of its open transaction; INVALID_TRANSACTION_TIMEOUT,
// CONCURRENT_TRANSACTIONS, COORDINATOR_NOT_AVAILABLE.
import { ErrorCode, InitProducerIdRequest, InitProducerIdResponse } from '@brook/protocol';
import { fencedForVersion } from '../errors.js';
import { defineHandler } from '../handler.js';

export const initProducerId = defineHandler(
  InitProducerIdRequest,
  InitProducerIdResponse,
  { min: 0, max: 5 },
  async (req, ctx) => {
    const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) {
      const r = await ctx.broker.transactions.initProducerId(
        req.transactionalId,
        req.transactionTimeoutMs,
        req.producerId ?? -1n,
        req.producerEpoch ?? -1,
      );
      return { throttleTimeMs: 0, ...r, errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 4) };
    }
    const out = ctx.broker.dataPath.producerIds.initProducerId(req.producerId ?? -1n, req.producerEpoch ?? -1);
    if ('error' in out) {
      if (out.error === 'invalid-request') return failed(ErrorCode.INVALID_REQUEST);
      return failed(fencedForVersion(ErrorCode.PRODUCER_FENCED, ctx.apiVersion, 4));
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: out.producerId,
      producerEpoch: out.producerEpoch,
    };
  },
);
