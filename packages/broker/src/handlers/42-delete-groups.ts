// Deletes empty groups and their committed offsets (tombstones in __consumer_offsets).
// Versions 0-2 (flexible from 2). Errors per group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP,
// INVALID_GROUP_ID, COORDINATOR_LOAD_IN_PROGRESS.
import { DeleteGroupsRequest, DeleteGroupsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const deleteGroups = defineHandler(
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  { min: 0, max: 2 },
  (req, ctx) => ({
    throttleTimeMs: 0,
    results: ctx.broker.groups.deleteGroups(req.groupsNames),
  }),
);
