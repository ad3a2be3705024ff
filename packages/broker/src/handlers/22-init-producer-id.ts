// Hands out idempotent producer ids (epoch 0), never reused across restarts; with the producer id and
// epoch of an id it issued (v3+, KIP-360) it bumps the epoch, fencing the old one (Kafka 3.9 hands out a
// fresh id instead; clients accept either). Versions 0-5 (flexible from 2). Errors: INVALID_REQUEST (id
// without epoch or vice versa, empty transactional id), PRODUCER_FENCED (v4+; INVALID_PRODUCER_EPOCH
// before) for a stale epoch, UNSUPPORTED_VERSION for a transactional id: transactions are not built yet,
// and clients treat this as "the broker can't do that" (fatal) rather than retrying a coordinator error.
import { ErrorCode, InitProducerIdRequest, InitProducerIdResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const initProducerId = defineHandler(
  InitProducerIdRequest,
  InitProducerIdResponse,
  { min: 0, max: 5 },
  (req, ctx) => {
    const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) return failed(ErrorCode.UNSUPPORTED_VERSION);
    const out = ctx.broker.dataPath.producerIds.initProducerId(req.producerId ?? -1n, req.producerEpoch ?? -1);
    if ('error' in out) {
      if (out.error === 'invalid-request') return failed(ErrorCode.INVALID_REQUEST);
      return failed(ctx.apiVersion >= 4 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: out.producerId,
      producerEpoch: out.producerEpoch,
    };
  },
);
