// Lists the groups this coordinator knows. Versions 0-5 (flexible from 3; states filter and state
// in the answer from 4; types filter and group type from 5). Errors: COORDINATOR_LOAD_IN_PROGRESS.
import { ListGroupsRequest, ListGroupsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const listGroups = defineHandler(ListGroupsRequest, ListGroupsResponse, { min: 0, max: 5 }, (req, ctx) => {
  const r = ctx.broker.groups.listGroups(req.statesFilter ?? [], req.typesFilter ?? []);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups.map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType,
      ...(ctx.apiVersion >= 4 ? { groupState: g.state } : {}),
      ...(ctx.apiVersion >= 5 ? { groupType: g.groupType } : {}),
    })),
  };
});
