// Joins a consumer group. Long-running: the response is held until the rebalance completes (or the
// rebalance timeout passes). The leader gets every member's metadata; followers get theirs from
// SyncGroup. Versions 0-9 (flexible from 6; MEMBER_ID_REQUIRED on a first join from 4; static
// membership from 5; protocolType in the response from 7; skipAssignment from 9).
// Errors: MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL,
// INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS.
import { JoinGroupRequest, JoinGroupResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { clientHostOf } from '../state/groups/client-host.js';

export const joinGroup = defineHandler(JoinGroupRequest, JoinGroupResponse, { min: 0, max: 9 }, async (req, ctx) => {
  const v = ctx.apiVersion;
  const rebalanceTimeoutMs =
    v >= 1 && (req.rebalanceTimeoutMs ?? -1) >= 0 ? req.rebalanceTimeoutMs! : req.sessionTimeoutMs;
  const r = await ctx.broker.groups.join(req.groupId, {
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId ?? null,
    clientId: ctx.clientId ?? '',
    clientHost: clientHostOf(ctx),
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
    requireKnownMemberId: v >= 4,
    reason: req.reason ?? null,
  });
  // Version-limited fields are only set where the version has them (the encoder rejects the rest).
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    ...(v >= 7 ? { protocolType: r.protocolType } : {}),
    // Before v7 the protocol name is not nullable.
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    ...(v >= 9 ? { skipAssignment: r.skipAssignment } : {}),
    memberId: r.memberId,
    members: r.members.map((m) => ({
      memberId: m.memberId,
      ...(v >= 5 ? { groupInstanceId: m.groupInstanceId } : {}),
      metadata: m.metadata,
    })),
  };
});
