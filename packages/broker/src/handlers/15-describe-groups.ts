// Describes groups: state, protocol, and members with their metadata and assignment (only once the
// group is Stable, as Kafka does). An unknown group is reported as Dead. Versions 0-5
// (authorizedOperations from 3; group.instance.id from 4; flexible from 5).
// Errors per group: COORDINATOR_LOAD_IN_PROGRESS.
import { DescribeGroupsRequest, DescribeGroupsResponse } from '@brook/protocol';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../authz.js';
import { defineHandler } from '../handler.js';

// Without an authorizer every group operation is allowed: READ(3), DELETE(6), DESCRIBE(8).
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export const describeGroups = defineHandler(
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  { min: 0, max: 5 },
  (req, ctx) => ({
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const g = ctx.broker.groups.describeGroup(groupId);
      return {
        errorCode: g.errorCode,
        groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          ...(ctx.apiVersion >= 4 ? { groupInstanceId: m.groupInstanceId } : {}),
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations:
          ctx.apiVersion >= 3 && req.includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      };
    }),
  }),
);
