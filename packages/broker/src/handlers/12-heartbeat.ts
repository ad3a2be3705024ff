// Keeps a group member alive and tells it when to rejoin. Versions 0-4 (flexible from 4; static
// membership from 3). Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
// FENCED_INSTANCE_ID, COORDINATOR_LOAD_IN_PROGRESS.
import { HeartbeatRequest, HeartbeatResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const heartbeat = defineHandler(HeartbeatRequest, HeartbeatResponse, { min: 0, max: 4 }, (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.broker.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId ?? null, req.generationId),
}));
