// Creates topics (or only validates them), with per-topic configs and optional explicit assignments.
// Versions 0-7 (flexible from 5; v5+ return configs/partitions, v7 topic ids). Errors per topic:
// TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR,
// INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST (duplicates, both count and assignment).
import { CreateTopicsRequest, CreateTopicsResponse, ErrorCode, ZERO_UUID } from '@brook/protocol';
import { describeTopicConfig, TOPIC_CONFIG_DEFS } from '../config.js';
import { BrokerError, toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';
import type { BrokerState } from '../state/broker-state.js';
import type { TopicInfo } from '../state/topics.js';

type Result = CreateTopicsResponse['topics'][number];
type Creatable = CreateTopicsRequest['topics'][number];

export const createTopics = defineHandler(
  CreateTopicsRequest,
  CreateTopicsResponse,
  { min: 0, max: 7 },
  async (req, ctx) => {
    const b = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: Result[] = [];
    for (const t of req.topics) {
      if ((counts.get(t.name) ?? 0) > 1) {
        topics.push(
          failed(t.name, ErrorCode.INVALID_REQUEST, 'Create topics request contains multiple entries for this topic.'),
        );
        continue;
      }
      try {
        const info = await b.topics.create(t.name, { ...plan(b, t), validateOnly: req.validateOnly === true });
        topics.push(succeeded(b, info, req.validateOnly === true));
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'create topic');
        topics.push(failed(t.name, e.code, e.message));
      }
    }
    return { throttleTimeMs: 0, topics };
  },
);

/** Partition count / replication factor / configs from the request, checking explicit assignments. */
function plan(
  b: BrokerState,
  t: Creatable,
): { partitions: number; replicationFactor: number; configs: Record<string, string> } {
  const configs: Record<string, string> = {};
  for (const c of t.configs) {
    if (c.value === null)
      throw new BrokerError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${c.name}`);
    configs[c.name] = c.value;
  }
  if (t.assignments.length === 0) {
    return { partitions: t.numPartitions, replicationFactor: t.replicationFactor, configs };
  }
  if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
    throw new BrokerError(
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    );
  }
  const sorted = [...t.assignments].sort((x, y) => x.partitionIndex - y.partitionIndex);
  sorted.forEach((a, i) => {
    if (a.partitionIndex !== i) {
      throw new BrokerError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be a consecutive 0-based integer sequence',
      );
    }
    if (a.brokerIds.length === 0 || a.brokerIds.some((id) => id !== b.nodeId)) {
      throw new BrokerError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Unknown broker(s) in replica assignment: ${a.brokerIds.filter((id) => id !== b.nodeId).join(', ')}; only broker ${b.nodeId} exists.`,
      );
    }
    if (a.brokerIds.length > 1) {
      throw new BrokerError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Duplicate brokers not allowed in replica assignment.`,
      );
    }
  });
  return { partitions: sorted.length, replicationFactor: 1, configs };
}

function succeeded(b: BrokerState, t: TopicInfo, validateOnly: boolean): Result {
  return {
    name: t.name,
    // Kafka reports no id for a validate-only creation: nothing was created.
    topicId: validateOnly ? ZERO_UUID : t.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: t.partitions,
    replicationFactor: 1,
    configs: TOPIC_CONFIG_DEFS.map((d) => {
      const e = describeTopicConfig(b.config, t.configs, d.name);
      return { name: d.name, value: e.value, readOnly: false, configSource: e.source, isSensitive: false };
    }),
  };
}

function failed(name: string, errorCode: number, errorMessage: string): Result {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] };
}
