// Cluster id, controller and brokers (this one), with cluster authorized operations when asked.
// Versions 0-1 (flexible from 0). Errors: UNSUPPORTED_ENDPOINT_TYPE for endpoint type CONTROLLER (2).
import { DescribeClusterRequest, DescribeClusterResponse, ErrorCode } from '@brook/protocol';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS } from '../authz.js';
import { defineHandler } from '../handler.js';

const BROKERS_ENDPOINT = 1;

export const describeCluster = defineHandler(
  DescribeClusterRequest,
  DescribeClusterResponse,
  { min: 0, max: 1 },
  (req, ctx) => {
    const b = ctx.broker;
    const endpointType = req.endpointType ?? BROKERS_ENDPOINT;
    const common = {
      throttleTimeMs: 0,
      endpointType,
      clusterId: b.clusterId,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : AUTHORIZED_OPERATIONS_OMITTED,
    };
    if (endpointType !== BROKERS_ENDPOINT) {
      return {
        ...common,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `The broker does not support DescribeCluster with endpoint type ${endpointType}`,
        controllerId: -1,
        brokers: [],
      };
    }
    return {
      ...common,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: b.nodeId,
      brokers: [{ brokerId: b.nodeId, host: b.advertised.host, port: b.advertised.port, rack: b.rack }],
    };
  },
);
