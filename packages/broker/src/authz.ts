// Authorized-operation bitfields (Metadata, DescribeCluster). Without an authorizer Kafka reports
// every operation the resource type supports; "not requested" is Integer.MIN_VALUE.
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

// AclOperation codes.
const READ = 3;
const WRITE = 4;
const CREATE = 5;
const DELETE = 6;
const ALTER = 7;
const DESCRIBE = 8;
const CLUSTER_ACTION = 9;
const DESCRIBE_CONFIGS = 10;
const ALTER_CONFIGS = 11;
const IDEMPOTENT_WRITE = 12;

const bits = (ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);

export const TOPIC_OPERATIONS = bits([READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS]);
export const CLUSTER_OPERATIONS = bits([
  CREATE,
  CLUSTER_ACTION,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
  IDEMPOTENT_WRITE,
  ALTER,
  DESCRIBE,
]);
