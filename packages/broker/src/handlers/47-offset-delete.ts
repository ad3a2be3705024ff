// Deletes committed offsets of a group for partitions it does not consume. Version 0.
// Errors: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (non-consumer protocol), COORDINATOR_LOAD_IN_PROGRESS;
// per partition GROUP_SUBSCRIBED_TO_TOPIC, UNKNOWN_TOPIC_OR_PARTITION.
import { ErrorCode, OffsetDeleteRequest, OffsetDeleteResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';

export const offsetDelete = defineHandler(OffsetDeleteRequest, OffsetDeleteResponse, { min: 0, max: 0 }, (req, ctx) => {
  const topics = ctx.broker.topics;
  const known = (name: string, p: number) => {
    const t = topics.get(name);
    return t !== undefined && p >= 0 && p < t.partitions;
  };
  const r = ctx.broker.groups.deleteOffsets(
    req.groupId,
    req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => p.partitionIndex).filter((p) => known(t.name, p)),
    })),
  );
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t) => {
      const done = r.topics.find((x) => x.name === t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: known(t.name, p.partitionIndex)
            ? (done?.partitions.find((x) => x.partitionIndex === p.partitionIndex)?.errorCode ?? ErrorCode.NONE)
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      };
    }),
  };
});
