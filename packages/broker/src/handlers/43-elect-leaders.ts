// Leader election is a no-op on one broker: every known partition already has its preferred leader.
// Versions 0-2 (flexible from 2). Errors per partition: ELECTION_NOT_NEEDED, UNKNOWN_TOPIC_OR_PARTITION.
// A null partition list (all partitions) answers only partitions that needed an election: none.
import { ElectLeadersRequest, ElectLeadersResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const electLeaders = defineHandler(ElectLeadersRequest, ElectLeadersResponse, { min: 0, max: 2 }, (req, ctx) => {
  const topics = ctx.broker.topics;
  const replicaElectionResults = (req.topicPartitions ?? []).map((tp) => {
    const t = topics.get(tp.topic);
    return {
      topic: tp.topic,
      partitionResult: tp.partitions.map((p) =>
        t && p >= 0 && p < t.partitions
          ? {
              partitionId: p,
              errorCode: ErrorCode.ELECTION_NOT_NEEDED,
              errorMessage: 'Leader election not needed for topic partition.',
            }
          : {
              partitionId: p,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: 'The partition does not exist.',
            },
      ),
    };
  });
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults };
});
