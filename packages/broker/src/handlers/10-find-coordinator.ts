// Finds the coordinator of a consumer group (key type 0) or transactional id (key type 1). On one
// broker the coordinator is always this node, so NOT_COORDINATOR never appears. A group lookup
// creates __consumer_offsets first, as Kafka does. Versions 0-6 (flexible from 3; batched
// coordinatorKeys from 4). Errors: INVALID_REQUEST (unknown key type), COORDINATOR_NOT_AVAILABLE.
import { ErrorCode, FindCoordinatorRequest, FindCoordinatorResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const findCoordinator = defineHandler(
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  { min: 0, max: 6 },
  async (req, ctx) => {
    const b = ctx.broker;
    const keyType = req.keyType ?? 0;
    let errorCode: number = ErrorCode.NONE;
    let errorMessage: string | null = null;
    if (keyType !== 0 && keyType !== 1) {
      errorCode = ErrorCode.INVALID_REQUEST;
      errorMessage = `Unknown coordinator key type ${keyType}`;
    } else if (keyType === 0) {
      try {
        await b.groups.ensureOffsetsTopic();
      } catch (err) {
        ctx.log.warn({ err }, 'creating __consumer_offsets failed');
        errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        errorMessage = 'The coordinator is not available.';
      }
    }
    const ok = errorCode === ErrorCode.NONE;
    const nodeId = ok ? b.nodeId : -1;
    const host = ok ? b.advertised.host : '';
    const port = ok ? b.advertised.port : -1;
    if (ctx.apiVersion < 4) {
      return { throttleTimeMs: 0, errorCode, ...(ctx.apiVersion >= 1 ? { errorMessage } : {}), nodeId, host, port };
    }
    return {
      throttleTimeMs: 0,
      coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })),
    };
  },
);
