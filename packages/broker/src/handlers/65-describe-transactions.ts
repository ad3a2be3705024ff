// Describes transactional ids (kafka-transactions describe): state, producer id/epoch, timeout, start time
// and partitions. Version 0 (flexible). Errors per id: TRANSACTIONAL_ID_NOT_FOUND.
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { describedTxnError } from '../state/transactions/coordinator.js';

export const describeTransactions = defineHandler(
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  { min: 0, max: 0 },
  (req, ctx) => ({
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((id) => ctx.broker.transactions.describe(id)),
  }),
  {
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => describedTxnError(id, errorCode)),
    }),
  },
);
