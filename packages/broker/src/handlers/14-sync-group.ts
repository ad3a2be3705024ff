// Distributes the leader's assignment: followers wait until the leader's SyncGroup arrives.
// Versions 0-5 (static membership from 3; flexible from 4; protocol type/name checks from 5).
// Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID,
// INCONSISTENT_GROUP_PROTOCOL, COORDINATOR_LOAD_IN_PROGRESS.
import { SyncGroupRequest, SyncGroupResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const syncGroup = defineHandler(SyncGroupRequest, SyncGroupResponse, { min: 0, max: 5 }, async (req, ctx) => {
  const r = await ctx.broker.groups.sync(req.groupId, {
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId ?? null,
    generationId: req.generationId,
    protocolType: req.protocolType ?? null,
    protocolName: req.protocolName ?? null,
    assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    ...(ctx.apiVersion >= 5 ? { protocolType: r.protocolType, protocolName: r.protocolName } : {}),
    assignment: r.assignment,
  };
});
