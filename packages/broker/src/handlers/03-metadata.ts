// Brokers, cluster id, controller and topic/partition leadership; auto-creates unknown topics when
// allowed (auto.create.topics.enable and, v4+, allowAutoTopicCreation). Versions 0-12 (flexible from 9).
// Errors per topic: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_ID (lookup by id, v10+).
import { ErrorCode, MetadataRequest, MetadataResponse, ZERO_UUID } from '@brook/protocol';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from '../authz.js';
import { defineHandler } from '../handler.js';
import type { BrokerState } from '../state/broker-state.js';
import type { TopicInfo } from '../state/topics.js';

type TopicResult = MetadataResponse['topics'][number];

export const metadata = defineHandler(MetadataRequest, MetadataResponse, { min: 0, max: 12 }, async (req, ctx) => {
  const b = ctx.broker;
  const v = ctx.apiVersion;
  const topicOps = req.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
  // v0: an empty list means all topics; v1+: null means all, empty means none.
  const all = req.topics === null || (v === 0 && req.topics.length === 0);
  const topics: TopicResult[] = [];
  if (all) {
    for (const t of b.topics.list()) topics.push(topicMetadata(b, t, topicOps));
  } else {
    const allowAuto = v < 4 || req.allowAutoTopicCreation !== false;
    const seen = new Set<string>();
    for (const rt of req.topics ?? []) {
      const id = rt.topicId ?? ZERO_UUID;
      if (rt.name === null || rt.name === undefined) {
        // Lookup by topic id (v10+).
        const t = id === ZERO_UUID ? undefined : b.topics.getById(id);
        if (seen.has(`#${id}`)) continue;
        seen.add(`#${id}`);
        topics.push(t ? topicMetadata(b, t, topicOps) : errorTopic(null, id, ErrorCode.UNKNOWN_TOPIC_ID, topicOps));
        continue;
      }
      if (seen.has(rt.name)) continue;
      seen.add(rt.name);
      const t = await b.topics.getOrAutoCreate(rt.name, allowAuto);
      topics.push(typeof t === 'number' ? errorTopic(rt.name, ZERO_UUID, t, topicOps) : topicMetadata(b, t, topicOps));
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: b.nodeId, host: b.advertised.host, port: b.advertised.port, rack: b.rack }],
    clusterId: b.clusterId,
    controllerId: b.nodeId,
    topics,
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
      ? CLUSTER_OPERATIONS
      : AUTHORIZED_OPERATIONS_OMITTED,
  };
});

function topicMetadata(b: BrokerState, t: TopicInfo, ops: number): TopicResult {
  const partitions: TopicResult['partitions'] = [];
  for (let p = 0; p < t.partitions; p++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      leaderId: b.nodeId,
      leaderEpoch: 0,
      replicaNodes: [b.nodeId],
      isrNodes: [b.nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions,
    topicAuthorizedOperations: ops,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number, ops: number): TopicResult {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: ops };
}
