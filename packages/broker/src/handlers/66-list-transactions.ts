// Lists transactional ids (kafka-transactions list), filtered by state names, producer ids and (v1)
// minimum running time of ongoing transactions. Versions 0-1 (flexible). Errors: none (the error code is
// always NONE); unknown state names are echoed in unknownStateFilters, as Kafka does.
import { ErrorCode, ListTransactionsRequest, ListTransactionsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const listTransactions = defineHandler(
  ListTransactionsRequest,
  ListTransactionsResponse,
  { min: 0, max: 1 },
  (req, ctx) => {
    const r = ctx.broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter ?? -1n);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: r.unknownStateFilters,
      transactionStates: r.states,
    };
  },
);
