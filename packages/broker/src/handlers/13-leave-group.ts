// Removes members from a group, which then rebalances. Versions 0-5 (one member up to v2; a batch of
// members, possibly by group.instance.id only, from v3; flexible from 4; reasons from 5).
// Errors: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (per member from v3), COORDINATOR_LOAD_IN_PROGRESS.
import { LeaveGroupRequest, LeaveGroupResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const leaveGroup = defineHandler(LeaveGroupRequest, LeaveGroupResponse, { min: 0, max: 5 }, (req, ctx) => {
  const batched = ctx.apiVersion >= 3;
  const leaving = batched
    ? (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
    : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
  const r = ctx.broker.groups.leave(req.groupId, leaving);
  if (!batched) {
    // One member: its own error is the response's error.
    const own = r.members[0]?.errorCode ?? 0;
    return { throttleTimeMs: 0, errorCode: r.errorCode !== 0 ? r.errorCode : own };
  }
  return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.errorCode !== 0 ? [] : r.members };
});
